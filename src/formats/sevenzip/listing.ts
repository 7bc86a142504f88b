/**
 * One member as 7-Zip's technical listing (`7zz l -slt`) describes it. 7-Zip prints each item as
 * `Key = Value` lines after a `----------` separator; control characters in names are printed as `_`
 * (CPP/7zip/UI/Console/List.cpp), so a name cannot inject lines of its own.
 */
export interface SevenZipMember {
  readonly path: string;
  /** Declared unpacked size; undefined when 7-Zip prints none. */
  readonly size: number | undefined;
  /** Packed size of the block the member starts (7-Zip prints it on a block's first member only). */
  readonly packedSize: number | undefined;
  readonly isDirectory: boolean;
  readonly isSymlink: boolean;
  readonly encrypted: boolean;
  /** Solid block index, undefined for members without data (empty files, directories). */
  readonly block: number | undefined;
  readonly method: string;
}

export interface SevenZipListing {
  readonly members: readonly SevenZipMember[];
  /** Members beyond `maxMembers`, counted, not kept. */
  readonly omitted: number;
}

function toNumber(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : Number.MAX_SAFE_INTEGER;
}

/** Builds members from the lines of `7zz l -slt`, keeping at most `maxMembers`. */
export class SevenZipListingParser {
  private readonly members: SevenZipMember[] = [];
  private omitted = 0;
  private inItems = false;
  private current: Map<string, string> | undefined;

  constructor(private readonly maxMembers: number) {}

  /** Feeds one printed line. */
  line(text: string): void {
    if (text === '----------') {
      this.inItems = true;
      return;
    }
    if (!this.inItems) return;
    const eq = text.indexOf(' = ');
    if (eq < 0) {
      this.flush();
      return;
    }
    const key = text.slice(0, eq);
    const value = text.slice(eq + 3);
    if (key === 'Path') this.flush();
    this.current ??= new Map();
    this.current.set(key, value);
  }

  finish(): SevenZipListing {
    this.flush();
    return { members: this.members, omitted: this.omitted };
  }

  private flush(): void {
    const item = this.current;
    this.current = undefined;
    if (item === undefined || !item.has('Path')) return;
    if (this.members.length >= this.maxMembers) {
      this.omitted++;
      return;
    }
    // Attributes: Windows letters (D = directory), then the Unix mode string when one is stored ("A lrwxrwxrwx").
    const attributes = item.get('Attributes') ?? '';
    const mode = /\s([-dlcbps][-rwxsStT]{9})$/.exec(attributes)?.[1];
    this.members.push({
      path: item.get('Path') ?? '',
      size: toNumber(item.get('Size')),
      packedSize: toNumber(item.get('Packed Size')),
      isDirectory:
        item.get('Folder') === '+' || /^[A-Z]*D/.test(attributes) || mode?.startsWith('d') === true,
      isSymlink: mode?.startsWith('l') === true,
      encrypted: item.get('Encrypted') === '+',
      block: toNumber(item.get('Block')),
      method: item.get('Method') ?? '',
    });
  }
}

/** Parses a whole `7zz l -slt` output. */
export function parseSevenZipListing(text: string, maxMembers: number): SevenZipListing {
  const parser = new SevenZipListingParser(maxMembers);
  for (const line of text.split('\n')) parser.line(line);
  return parser.finish();
}
