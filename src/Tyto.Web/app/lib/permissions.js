// Permissions as the server grants them: `resource:action`, with `*` for either side or alone for everything.

/** Whether `granted` (maybe with wildcards) covers `required`. */
export function grants(/** @type {string} */ granted, /** @type {string} */ required) {
  if (granted === '*') return true;
  const [grantedResource, grantedAction = ''] = granted.split(':');
  const [requiredResource, requiredAction = ''] = required.split(':');
  return (grantedResource === '*' || grantedResource === requiredResource) && (grantedAction === '*' || grantedAction === requiredAction);
}

/** Whether any of the held permissions covers `required`. */
export function holds(/** @type {readonly string[]} */ held, /** @type {string} */ required) {
  return held.some((granted) => grants(granted, required));
}

/** Whether the held permissions cover every one of `required`. */
export function holdsAll(/** @type {readonly string[]} */ held, /** @type {readonly string[]} */ required) {
  return required.every((permission) => holds(held, permission));
}
