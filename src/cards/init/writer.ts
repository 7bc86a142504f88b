import type { InitNote, NoteTopic } from './facts.js';
import { cell, code, printable } from './markdown.js';
import { toYamlLines, type YamlMap } from './yaml.js';

/**
 * Assembles a card: front matter, headings, paragraphs, lists and tables, with a blank line between blocks
 * so each renders on its own. Facts are written as `From <file>: ...`, unknowns as `TODO: ...` lines, which
 * the card reader counts as placeholders (placeholders.ts), so an unedited skeleton never scores as answered.
 */
export class CardWriter {
  private readonly lines: string[] = [];

  /** `---`, a comment line per entry of `comments`, the YAML, `---`. */
  frontMatter(comments: readonly string[], map: YamlMap): void {
    this.lines.push('---', ...comments.map((c) => `# ${printable(c)}`), ...toYamlLines(map), '---', '');
  }

  /** An HTML comment (invisible on the Hub). */
  comment(text: string): void {
    this.block([`<!-- ${printable(text).replace(/--+>?/g, '-')} -->`]);
  }

  heading(level: number, title: string): void {
    this.block([`${'#'.repeat(level)} ${title}`]);
  }

  /** A paragraph. */
  paragraph(text: string): void {
    this.block([printable(text)]);
  }

  /** `TODO: ...`: something only a person can say. */
  todo(text: string): void {
    this.paragraph(`TODO: ${text}`);
  }

  /** `From <file>: ...`: what a file in the folder states. */
  fact(file: string, text: string): void {
    this.paragraph(`From ${code(file)}: ${text}`);
  }

  list(items: readonly string[]): void {
    if (items.length > 0) this.block(items.map((i) => `- ${printable(i)}`));
  }

  /** A GFM table; cells are escaped. */
  table(headers: readonly string[], rows: readonly (readonly string[])[]): void {
    if (rows.length === 0) return;
    const line = (cells: readonly string[]) => `| ${cells.map((c) => cell(printable(c))).join(' | ')} |`;
    this.block([line(headers), `|${headers.map(() => ' --- ').join('|')}|`, ...rows.map(line)]);
  }

  /** The notes of one topic, as TODO lines naming the file. */
  notes(notes: readonly InitNote[], topics: readonly NoteTopic[]): void {
    for (const note of notes) {
      if (!topics.includes(note.topic)) continue;
      this.todo(
        `${note.file !== undefined ? `${code(note.file)}: ` : ''}${note.message}. Fill in by hand what it would have told.`,
      );
    }
  }

  private block(lines: readonly string[]): void {
    this.lines.push(...lines, '');
  }

  toString(): string {
    while (this.lines.length > 0 && this.lines[this.lines.length - 1] === '') this.lines.pop();
    return `${this.lines.join('\n')}\n`;
  }
}

/**
 * Backslash-escapes the markdown punctuation that could start markup inside a heading's text (CommonMark
 * §2.4): emphasis, code, links, HTML, entities, tables. Hyphens and dots need no escape after the heading's
 * first words.
 */
export function escapeInline(text: string): string {
  return printable(text).replace(/[\\`*_[\]<>#|~&!]/g, '\\$&');
}
