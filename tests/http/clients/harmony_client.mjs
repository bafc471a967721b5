// The `openai` and `ollama` packages against hfd serving a harmony model (gpt-oss's
// channels): node harmony_client.mjs TARGET MODEL. Prints one JSON object with the answer
// and the reasoning each call returned, in the fields each client exposes; exits 1 on any
// client error.
import OpenAI from 'openai';
import { Ollama } from 'ollama';
import { endpoint } from './fetch_for.mjs';

const [target, model] = process.argv.slice(2);
const { baseURL, fetch } = endpoint(target);
const openai = new OpenAI({ apiKey: 'unused', baseURL: `${baseURL}/v1`, fetch });
const ollama = new Ollama({ host: baseURL, fetch });
const messages = [{ role: 'user', content: 'Hi' }];
const greedy = { model, temperature: 0 };

const out = {};
const chat = await openai.chat.completions.create({ ...greedy, messages });
out.openai = { content: chat.choices[0].message.content,
  reasoning: chat.choices[0].message.reasoning_content };
out.openai_stream = { content: '', reasoning: '' };
for await (const chunk of await openai.chat.completions.create({ ...greedy, messages, stream: true })) {
  const delta = chunk.choices[0]?.delta ?? {};
  out.openai_stream.content += delta.content ?? '';
  out.openai_stream.reasoning += delta.reasoning_content ?? '';
}

const options = { temperature: 0 };
const reply = await ollama.chat({ model, messages, options, stream: false });
out.ollama = { content: reply.message.content, thinking: reply.message.thinking };
out.ollama_stream = { content: '', thinking: '' };
for await (const part of await ollama.chat({ model, messages, options, stream: true })) {
  out.ollama_stream.content += part.message.content;
  out.ollama_stream.thinking += part.message.thinking ?? '';
}
const quiet = await ollama.chat({ model, messages, options, think: false, stream: false });
out.ollama_no_think = { content: quiet.message.content, thinking: quiet.message.thinking ?? null };
const generated = await ollama.generate({ model, prompt: 'Hi', options, stream: false });
out.ollama_generate = { response: generated.response, thinking: generated.thinking };
console.log(JSON.stringify(out));
