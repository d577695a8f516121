export { compile, CompiledModel, type CompileOptions } from './compile.js';
