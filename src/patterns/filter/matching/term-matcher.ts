import type { Term } from '../syntax/ast.js';

/** A compiled pattern over the text of a log event. */
export type TextMatcher = (message: string) => boolean;

/**
 * Terms over unstructured text (Filter pattern syntax, "Using filter patterns to match terms in unstructured log
 * events"):
 *  - every plain term must appear ("all terms must appear in a log event for there to be a match"), no -term may;
 *  - ?terms: "returns all log events where messages contain the word ERROR or the word ARGUMENTS"; but "If you combine
 *    "?" with other filter patterns, all question mark terms will be ignored";
 *  - a term appears when the message contains it, case sensitively: ERROR matches "[ERROR] A fatal exception" and
 *    "Exiting with ERRORCODE: -1" (Filter and Pattern Syntax before 2023), so a term need not stand alone as a word;
 *    a "quoted phrase" must appear exactly as written;
 *  - " " and "" match everything ("You can match everything in your log events with double quotation marks": " ";
 *    "The filter pattern "" matches all log events" before 2023): a blank quoted term is always present.
 */
export function compileTerms(terms: readonly Term[]): TextMatcher {
  const required = terms.filter((t) => t.kind !== 'optional');
  if (required.length === 0) {
    const options = terms.map((t) => t.text).filter((text) => !isBlank(text));
    if (options.length < terms.length) return () => true;
    return (message) => {
      for (let i = 0; i < options.length; i++) if (message.includes(options[i]!)) return true;
      return false;
    };
  }
  const include = required.filter((t) => t.kind === 'include' && !isBlank(t.text)).map((t) => t.text);
  const exclude = required.filter((t) => t.kind === 'exclude').map((t) => t.text);
  if (exclude.some(isBlank)) return () => false;
  return (message) => {
    for (let i = 0; i < include.length; i++) if (!message.includes(include[i]!)) return false;
    for (let i = 0; i < exclude.length; i++) if (message.includes(exclude[i]!)) return false;
    return true;
  };
}

export function isBlank(text: string): boolean {
  return text.trim() === '';
}
