// The package version, written into exported files (ONNX producer_version). A test keeps
// it equal to package.json's.
export const VERSION = '0.1.0';
