// MessageBlock: Ollama's """ multi-line messages in the chat.
#include "ctl/repl/message_block.h"

#include <gtest/gtest.h>

namespace hfd::ctl {
namespace {

TEST(MessageBlock, APlainLineIsAMessageAsTyped) {
  MessageBlock block;
  auto m = block.Add("/show info");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->text, "/show info");
  EXPECT_FALSE(m->from_block);
  EXPECT_FALSE(block.open());
}

TEST(MessageBlock, LinesBetweenTripleQuotesAreOneMessage) {
  MessageBlock block;
  EXPECT_FALSE(block.Add("\"\"\""));
  EXPECT_TRUE(block.open());
  EXPECT_FALSE(block.Add("/not a command"));
  EXPECT_FALSE(block.Add(""));
  auto m = block.Add("  last line\"\"\"");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->text, "/not a command\n\n  last line");
  EXPECT_TRUE(m->from_block);
  EXPECT_FALSE(block.open());
}

TEST(MessageBlock, TextOnTheOpeningLineAndOneLineBlocks) {
  MessageBlock block;
  EXPECT_FALSE(block.Add("\"\"\"first"));
  auto m = block.Add("second\"\"\"");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->text, "first\nsecond");
  auto one = block.Add("\"\"\"just this\"\"\"");
  ASSERT_TRUE(one);
  EXPECT_EQ(one->text, "just this");
}

TEST(MessageBlock, DropForgetsAnOpenBlock) {
  MessageBlock block;
  EXPECT_FALSE(block.Add("\"\"\"half"));
  block.Drop();
  EXPECT_FALSE(block.open());
  auto m = block.Add("next");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->text, "next");
}

}  // namespace
}  // namespace hfd::ctl
