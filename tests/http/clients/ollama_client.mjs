// The `ollama` package against hfd: node ollama_client.mjs TARGET MODEL (TARGET: the HTTP
// Unix socket's path, or a base URL). Prints one JSON object with what each call
// returned; exits 1 on any client error.
import { Ollama } from 'ollama';
import { endpoint } from './fetch_for.mjs';

const [target, model] = process.argv.slice(2);
const { baseURL, fetch } = endpoint(target);
const client = new Ollama({ host: baseURL, fetch });
const messages = [{ role: 'user', content: 'Tell me about the sea.' }];
const prompt = 'The capital of France is';
const options = { temperature: 0, num_predict: 12 };

const out = {};
out.version = (await client.version()).version;
out.tags = (await client.list()).models.map((m) => m.name);

const chat = await client.chat({ model, messages, options, stream: false });
out.chat = { text: chat.message.content, done_reason: chat.done_reason, eval_count: chat.eval_count,
  total_duration: chat.total_duration };
out.chat_stream = { text: '', parts: 0 };
for await (const part of await client.chat({ model, messages, options, stream: true })) {
  out.chat_stream.text += part.message.content;
  out.chat_stream.parts += 1;
  if (part.done) out.chat_stream.eval_count = part.eval_count;
}

const generated = await client.generate({ model, prompt, raw: true, options, stream: false });
out.generate = { text: generated.response, done_reason: generated.done_reason };
out.generate_stream = { text: '' };
for await (const part of await client.generate({ model, prompt, raw: true, options, stream: true })) {
  out.generate_stream.text += part.response;
}

out.ps = (await client.ps()).models.map((m) => m.name);
out.show = (await client.show({ model })).details;
out.pull = [];
try {
  for await (const p of await client.pull({ model, stream: true })) out.pull.push(p.status);
} catch (e) {
  out.pull.push(e.status_code);
}
try {
  await client.chat({ model: 'hf.co/nobody/nothing:Q4_K_M', messages, options });
  out.missing = { status: 200 };
} catch (e) {
  out.missing = { status: e.status_code, message: e.message };
}
console.log(JSON.stringify(out));
