#!/usr/bin/env node
/**
 * share-link-keygen: create and rotate the service's keys.
 *
 *   share-link-keygen --file keys.json            add a key and make it active
 *   share-link-keygen --file keys.json --list     show key ids (never secrets)
 *   share-link-keygen --file keys.json --remove ID
 */
import { addKey, listKeys, removeKey } from './keys';

const USAGE =
  'usage: share-link-keygen [keygen] --file PATH [--list | --remove KEY_ID]\n';

function main(argv: string[]): number {
  const args = argv[0] === 'keygen' ? argv.slice(1) : argv;
  const option = (name: string) => {
    const at = args.indexOf(name);
    return at >= 0 ? args[at + 1] : undefined;
  };
  const file = option('--file') ?? process.env.SHARE_LINK_KEYS_FILE;
  if (!file || args.includes('--help')) {
    process.stderr.write(USAGE);
    return file ? 0 : 2;
  }
  try {
    if (args.includes('--list')) {
      const { active, ids } = listKeys(file);
      for (const id of ids) {
        process.stdout.write(`${id}${id === active ? ' (active)' : ''}\n`);
      }
      return 0;
    }
    const removed = option('--remove');
    if (removed) {
      removeKey(file, removed);
      process.stdout.write(`removed key ${removed} from ${file}\n`);
      return 0;
    }
    const id = addKey(file);
    process.stdout.write(`added key ${id} to ${file}; it is now active\n`);
    return 0;
  } catch (err) {
    process.stderr.write(
      `share-link-keygen: ${err instanceof Error ? err.message : String(err)}\n`
    );
    return 1;
  }
}

process.exit(main(process.argv.slice(2)));
