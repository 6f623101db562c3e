// placeholder, replaced below
export function unicodeCIKey(s: Buffer): Buffer { return s; }
export function uca0900Key(s: Buffer): Buffer { return s; }
