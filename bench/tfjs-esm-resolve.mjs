// Node resolve hook used only by the benchmark: tfjs-core's ESM build (dist/*.js) imports
// its own files without extensions ('./gradients/Abs_grad'), which Node's ESM resolver
// refuses. The Node bundle (the package "main") registers no gradients at all, so to train
// with tf.variableGrads we load dist/register_all_gradients.js through this hook: inside
// @tensorflow/* only, an extensionless relative import tries '.js' then '/index.js'.
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (error) {
    const inTfjs = context.parentURL?.includes('/node_modules/@tensorflow/');
    if (!inTfjs || !specifier.startsWith('.') || /\.[cm]?js$/.test(specifier)) throw error;
    for (const candidate of [`${specifier}.js`, `${specifier}/index.js`]) {
      try {
        return await next(candidate, context);
      } catch {
        // try the next form
      }
    }
    throw error;
  }
}
