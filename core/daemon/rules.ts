/**
 * The workflow rules the engine runs. A rule is enabled only where a handler exists for
 * every kind it produces (see enabledRules), so a rule can ship before its handler does.
 */
import type { Rule } from '../workflow/rules.ts';

export const STANDARD_RULES: readonly Rule[] = [];
