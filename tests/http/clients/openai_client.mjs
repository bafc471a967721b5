// The official `openai` package against hfd: node openai_client.mjs TARGET MODEL
// (TARGET: the HTTP Unix socket's path, or a base URL such as http://127.0.0.1:11435).
// Prints one JSON object with what each call returned; exits 1 on any client error.
import OpenAI from 'openai';
import { endpoint } from './fetch_for.mjs';

const [target, model] = process.argv.slice(2);
const { baseURL, fetch } = endpoint(target);
const client = new OpenAI({ apiKey: process.env.HFD_API_KEY ?? 'unused', baseURL: `${baseURL}/v1`, fetch });
const messages = [{ role: 'user', content: 'Tell me about the sea.' }];
const prompt = 'The capital of France is';
const greedy = { model, temperature: 0, max_tokens: 12 };

const out = {};
out.models = [];
for await (const m of client.models.list()) out.models.push(m.id);

const chat = await client.chat.completions.create({ ...greedy, messages });
out.chat = { text: chat.choices[0].message.content, finish: chat.choices[0].finish_reason, usage: chat.usage };

const stream = await client.chat.completions.create({
  ...greedy, messages, stream: true, stream_options: { include_usage: true },
});
out.chat_stream = { text: '', chunks: 0, usage: null };
for await (const chunk of stream) {
  if (chunk.usage) out.chat_stream.usage = chunk.usage;
  if (chunk.choices.length === 0) continue;
  out.chat_stream.text += chunk.choices[0].delta.content ?? '';
  out.chat_stream.chunks += 1;
}

const completion = await client.completions.create({ ...greedy, prompt });
out.completion = { text: completion.choices[0].text };
const completionStream = await client.completions.create({ ...greedy, prompt, stream: true });
out.completion_stream = { text: '' };
for await (const chunk of completionStream) out.completion_stream.text += chunk.choices[0]?.text ?? '';

try {
  await client.chat.completions.create({ ...greedy, model: 'nobody/nothing', messages });
  out.missing = { status: 200 };
} catch (e) {
  out.missing = { status: e.status, message: e.message };
}

console.log(JSON.stringify(out));
