/**
 * The render functions as the runtime runs them: proxy, plate, thumbnail and contact take a
 * render invocation and answer with what they committed (./run.ts).
 */
import type { RushesFunction } from '../runtime/functions.ts';
import { asRenderInvocation, RENDER_FUNCTIONS, type Invocation } from './invocation.ts';
import { runRender, type RenderResult } from './run.ts';

export const renderFunctions: RushesFunction<Invocation, RenderResult>[] = RENDER_FUNCTIONS.map((name) => ({
  name,
  accept: asRenderInvocation,
  run: (inv, ctx) => runRender(inv, ctx),
}));
