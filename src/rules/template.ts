/**
 * The templates of rule `summary`, `dedupe` and `resources`, in trailguard's one template language
 * (src/util/template.ts):
 *   text {{ path }} text {{ path || other.path || "literal" }}
 * with the roots below. Templates are compiled once when a rule loads, so rendering a finding never parses.
 */
import { compileExpressionIn, compileTemplateIn, TemplateError, type CompiledTemplate as EngineTemplate, type TemplateLanguage } from '../util/template.js';

export { TemplateError, lookup, MAX_RENDERED_VALUE } from '../util/template.js';

export const TEMPLATE_ROOTS = ['rule', 'event', 'detail', 'actor', 'check'] as const;
export type TemplateRoot = (typeof TEMPLATE_ROOTS)[number];
export type TemplateContext = Partial<Record<TemplateRoot, unknown>>;
export type CompiledTemplate = EngineTemplate<TemplateRoot>;

const RULE_TEMPLATES: TemplateLanguage<TemplateRoot> = {
  roots: TEMPLATE_ROOTS,
  examplePath: 'detail.eventName',
  error: (message, offset) => new TemplateError(message, offset),
};

/** Parses a template; throws TemplateError with the offset. */
export function compileTemplate(source: string): CompiledTemplate {
  return compileTemplateIn(RULE_TEMPLATES, source);
}

/** Compiles a bare expression such as `detail.requestParameters.groupId || detail.requestParameters.groupName`. */
export function compilePathExpression(source: string): CompiledTemplate {
  return compileExpressionIn(RULE_TEMPLATES, source);
}
