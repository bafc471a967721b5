// Log-probabilities through the official `openai` package: node openai_logprobs.mjs TARGET
// MODEL. Prints one JSON object: per call, the entry count, the usage, and the problems the
// checks found (each entry: top_logprobs[0] at least the chosen token's logprob, the
// alternatives' probabilities summing to at most 1, `bytes` decoding to `token`); and the
// HTTP status of the refused requests. Exits 1 on an unexpected client error.
import OpenAI from 'openai';
import { endpoint } from './fetch_for.mjs';

const [target, model] = process.argv.slice(2);
const { baseURL, fetch } = endpoint(target);
const client = new OpenAI({ apiKey: 'unused', baseURL: `${baseURL}/v1`, fetch });
const messages = [{ role: 'user', content: 'Tell me about the sea.' }];
const greedy = { model, temperature: 0, max_tokens: 12 };
const eps = 1e-4;

function bytesMatch(token, bytes) {
  const raw = new Uint8Array(bytes);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(raw) === token;
  } catch {
    return token.includes('\uFFFD');  // not UTF-8 on its own: `token` is the lossy form
  }
}

// Checks chat entries; returns the problems found.
function checkChat(entries, top) {
  const problems = [];
  entries.forEach((e, i) => {
    if (typeof e.logprob !== 'number' || e.logprob > eps) problems.push(`${i}: logprob ${e.logprob}`);
    if (!bytesMatch(e.token, e.bytes)) problems.push(`${i}: bytes do not decode to ${e.token}`);
    if (e.top_logprobs.length !== top) problems.push(`${i}: ${e.top_logprobs.length} alternatives`);
    if (e.top_logprobs[0].logprob < e.logprob - eps) problems.push(`${i}: top[0] below the chosen`);
    const mass = e.top_logprobs.reduce((sum, t) => sum + Math.exp(t.logprob), 0);
    if (mass > 1 + eps) problems.push(`${i}: alternatives sum to ${mass}`);
    for (const t of e.top_logprobs) {
      if (!bytesMatch(t.token, t.bytes)) problems.push(`${i}: alternative bytes ${t.token}`);
    }
  });
  return problems;
}

const out = {};
const chat = await client.chat.completions.create({ ...greedy, messages, logprobs: true, top_logprobs: 3 });
const content = chat.choices[0].logprobs.content;
out.chat = {
  entries: content.length,
  usage: chat.usage.completion_tokens,
  tokens: content.map((e) => e.token),
  text_matches: content.map((e) => e.token).join('') === chat.choices[0].message.content,
  problems: checkChat(content, 3),
};

const stream = await client.chat.completions.create({
  ...greedy, messages, logprobs: true, top_logprobs: 3, stream: true,
  stream_options: { include_usage: true },
});
const streamed = [];
let usage = null;
for await (const chunk of stream) {
  if (chunk.usage) usage = chunk.usage.completion_tokens;
  if (chunk.choices.length === 0) continue;
  streamed.push(...(chunk.choices[0].logprobs?.content ?? []));
}
out.chat_stream = {
  entries: streamed.length, usage, tokens: streamed.map((e) => e.token), problems: checkChat(streamed, 3),
};

const plain = await client.chat.completions.create({ ...greedy, messages });
out.plain_logprobs = plain.choices[0].logprobs ?? null;

const completion = await client.completions.create({ ...greedy, prompt: 'The capital of France is', logprobs: 2 });
const lp = completion.choices[0].logprobs;
const problems = [];
lp.tokens.forEach((token, i) => {
  const top = Object.entries(lp.top_logprobs[i]);
  if (top.length < 1 || top.length > 2) problems.push(`${i}: ${top.length} alternatives`);
  if (Math.max(...top.map(([, v]) => v)) < lp.token_logprobs[i] - eps) problems.push(`${i}: top below the chosen`);
  if (i > 0 && lp.text_offset[i] < lp.text_offset[i - 1]) problems.push(`${i}: offsets go back`);
});
out.completion = {
  entries: lp.tokens.length, usage: completion.usage.completion_tokens,
  lists: [lp.token_logprobs.length, lp.top_logprobs.length, lp.text_offset.length], problems,
};

async function status(body) {
  try {
    await client.chat.completions.create({ ...greedy, messages, ...body });
    return 200;
  } catch (e) {
    if (e.status === undefined) throw e;
    return e.status;
  }
}
out.refused = {
  top_21: await status({ logprobs: true, top_logprobs: 21 }),
  top_without_logprobs: await status({ top_logprobs: 2 }),
};

console.log(JSON.stringify(out));
