// The view layer: Preact components written with htm's tagged templates, so the source runs as it is, unbuilt.
import { h } from 'preact';
import htm from 'htm';

export const html = htm.bind(h);
