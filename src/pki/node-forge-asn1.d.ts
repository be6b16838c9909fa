// @types/node-forge types the package root only; der.ts gives this subpath its shape.
declare module 'node-forge/lib/asn1.js' {
  const asn1: unknown;
  export default asn1;
}
