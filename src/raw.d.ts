// WGSL sources are inlined at build time through Vite's `?raw` suffix.
declare module '*.wgsl?raw' {
  const source: string;
  export default source;
}
