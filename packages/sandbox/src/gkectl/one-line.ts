/** Keeps a message on one printed line, so that it cannot be read as another line shape. Pure. */
export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, '; ').trim();
}
