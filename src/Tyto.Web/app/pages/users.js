// Placeholder until this page is built.
import { html } from '../lib/html.js';
import { Empty } from '../components/states.js';

export default function Placeholder() {
  return html`<${Empty} title="Not built yet" />`;
}
