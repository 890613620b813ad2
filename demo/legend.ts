/** An HTML legend (a list of colour swatches and names) for a chart's series. */

export interface LegendEntry {
  name: string;
  color: string;
  dashed?: boolean;
}

/** Replaces `list`'s items with one per entry: a swatch in the entry's colour and its name. */
export function fillLegend(list: HTMLElement, entries: readonly LegendEntry[]): void {
  list.replaceChildren(
    ...entries.map((e) => {
      const item = document.createElement('li');
      const swatch = document.createElement('span');
      swatch.className = e.dashed ? 'swatch dashed' : 'swatch';
      swatch.style.setProperty('--color', e.color);
      swatch.setAttribute('aria-hidden', 'true');
      item.append(swatch, document.createTextNode(e.name));
      return item;
    }),
  );
}
