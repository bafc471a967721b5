// What generation (generator.h) needs from a conversation's state on a backend: feed
// tokens and get the next-token logits (or only their argmax or top entries), know the
// position, rewind. Session has a KV cache of its own; BatchedSession (shared_batch.h) is
// one sequence of a batch that many conversations share, computed together.
//
// Not thread-safe: one caller at a time per object.
#pragma once

#include <cstdint>
#include <functional>
#include <span>

#include "engine/runtime/top_logits.h"
#include "include/hfd/status.h"

namespace hfd::runtime {

// The error for a next-token row that is all NaN: there is no token to choose (greedy
// decode) or to describe (log-probabilities).
inline Status AllNanLogits() { return Internal("the model's next-token logits are all NaN"); }

class TokenSession {
 public:
  virtual ~TokenSession() = default;

  // Appends `tokens` (at least one) and returns the logits after the last one, valid until
  // the next call. InvalidArgument when they would not fit the context.
  virtual Result<std::span<const float>> Feed(std::span<const int32_t> tokens) = 0;
  // Appends one token and returns the id of the largest next-token logit (the first on
  // ties); AllNanLogits when there is none.
  virtual Result<int32_t> FeedGreedy(int32_t token) = 0;
  // Appends one token and returns the kMaxTopLogits largest next-token logits with their
  // ids and the logsumexp of the row; AllNanLogits when every one is NaN.
  virtual Result<TopLogits> FeedTopLogits(int32_t token) = 0;
  // Forgets every position from `pos` on (0: start over); pos <= position(). A sequence of
  // a shared batch may forget a few more (it never writes into a KV block another one
  // shares): position() tells where to feed from.
  virtual Status Rewind(int32_t pos) = 0;

  virtual int32_t position() const = 0;
  virtual int32_t n_ctx() const = 0;

  // A hint: the caller will not feed for a while (its request ended), so a shared batch
  // stops waiting for this conversation's next token. Nothing to do for a session alone.
  virtual void Idle() {}

  // Fed tokens whose KV came from a shared prefix cache instead of being computed, over
  // the session's life (a shared batch's sequence; 0 for a session alone).
  virtual int64_t reused_prefix_tokens() const { return 0; }

  // What the caller's cancellation looks like (its request was cancelled, its model is
  // unloading): a feed that waits for other conversations (a shared batch's KV blocks or
  // its next step) checks it every few milliseconds and, once it is true, ends with
  // Cancelled before its tokens ran. Empty: none. Called on the caller's thread; the check
  // runs on it too. A session alone never waits, so it keeps no check.
  virtual void SetCancelCheck(const std::function<bool()>& /*cancelled*/) {}
};

}  // namespace hfd::runtime
