// certlogic-js baseline for certlogic/benches/eval.rs: the same rule set (one country's rules from
// ../shared/conformance/rules/testdata) on the same payload (the first test with a vaccination),
// evaluated many times; prints microseconds per whole rule set.
"use strict";
const fs = require("fs");
const path = require("path");
const { evaluate } = require("certlogic-js");

const country = process.argv[2] || "CH";
const dir = path.join(__dirname, "../../../../shared/conformance/rules/testdata", country);
const ruleDirs = fs.readdirSync(dir).sort().map((d) => path.join(dir, d))
  .filter((d) => fs.statSync(d).isDirectory());
const logics = [];
let data = null;
for (const ruleDir of ruleDirs) {
  logics.push(JSON.parse(fs.readFileSync(path.join(ruleDir, "rule.json"))).Logic);
  for (const t of fs.readdirSync(path.join(ruleDir, "tests")).sort()) {
    const test = JSON.parse(fs.readFileSync(path.join(ruleDir, "tests", t)));
    const v = test.payload && test.payload.v;
    if (data === null && Array.isArray(v) && v.length > 0) {
      data = { payload: test.payload, external: test.external };
    }
  }
}
const runSet = () => { for (const l of logics) { try { evaluate(l, data); } catch (e) { /* open */ } } };
for (let i = 0; i < 2000; i++) runSet(); // warm-up (JIT)
const rounds = 20000;
const start = process.hrtime.bigint();
for (let i = 0; i < rounds; i++) runSet();
const micros = Number(process.hrtime.bigint() - start) / 1000 / rounds;
console.log(JSON.stringify({ country, rules: logics.length, us_per_rule_set: micros }));
