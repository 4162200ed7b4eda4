// Asks before anything that cannot be taken back: a native modal dialog (focus kept inside, Escape cancels).
import { useRef, useState } from 'preact/hooks';
import { html } from '../lib/html.js';

/**
 * @typedef {{ title: string, message?: string, confirm: string, danger?: boolean }} Question
 */

/**
 * A dialog to render once in the page and a function to ask it, resolving true when confirmed.
 * @returns {[any, (question: Question) => Promise<boolean>]}
 */
export function useConfirm() {
  const dialog = useRef(/** @type {HTMLDialogElement | null} */ (null));
  const [question, setQuestion] = useState(/** @type {Question | null} */ (null));
  const answer = useRef(/** @type {((yes: boolean) => void) | null} */ (null));

  /** @param {Question} asked */
  const ask = (asked) => {
    setQuestion(asked);
    queueMicrotask(() => dialog.current?.showModal());
    return new Promise((resolve) => {
      answer.current = resolve;
    });
  };
  const close = (/** @type {boolean} */ yes) => {
    dialog.current?.close();
    answer.current?.(yes);
    answer.current = null;
  };

  const element = html`<dialog ref=${dialog} class="confirm" onCancel=${() => close(false)} aria-labelledby="confirm-title">
    ${question
      ? html`<h2 id="confirm-title">${question.title}</h2>
          ${question.message ? html`<p>${question.message}</p>` : null}
          <div class="actions">
            <button type="button" onClick=${() => close(false)}>Cancel</button>
            <button type="button" class=${question.danger ? 'danger' : 'primary'} onClick=${() => close(true)}>${question.confirm}</button>
          </div>`
      : null}
  </dialog>`;
  return [element, ask];
}
