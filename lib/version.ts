/**
 * This package's version, for the app.kubernetes.io/version label and dist/'s header. A
 * constant rather than a read of package.json, whose path differs between lib/ (sources) and
 * out/lib (the published build); test/lib/package.test.ts checks that the two agree.
 */
export const PACKAGE_NAME = 'cdk8s-triton-jetson';
export const PACKAGE_VERSION = '0.1.0';
