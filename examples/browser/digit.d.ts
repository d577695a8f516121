// Types for digit.js (plain JS so the page runs it unbuilt), for tests.
export declare const SIDE: 28;
export declare function resampleArea(src: ArrayLike<number>, w: number, h: number, tw: number, th: number): Float64Array;
export declare function inkBox(gray: ArrayLike<number>, w: number, h: number): { x: number; y: number; w: number; h: number } | null;
export declare function toMnistInput(gray: ArrayLike<number>, w: number, h: number): Float32Array | null;
export declare function rgbaToGray(rgba: ArrayLike<number>, w: number, h: number): Float32Array;
