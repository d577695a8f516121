// Types for rollup-conformance.mjs, so TypeScript tests can compare the pack with the fixtures.
export declare const CONFORMANCE_PACK_FILE: string;
/** The pack of every fixture in `dir`, as the JSON string the build writes. */
export declare function packConformanceDir(dir: string): string;
/** A rollup plugin emitting the pack as an asset of its bundle. */
export declare function conformancePack(dir: string): unknown;
