// cytoscape-svg ships no type declarations; it is a cytoscape extension registered with cytoscape.use()
// that adds `cy.svg(options)`, answering the drawing as SVG text (typed in panels/export.ts).
declare module 'cytoscape-svg' {
  import type { Ext } from 'cytoscape';
  const svg: Ext;
  export default svg;
}
