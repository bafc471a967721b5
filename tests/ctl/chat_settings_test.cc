// /set parameter in the chat: names, values checked like the flags, and the params sent.
#include "ctl/repl/chat_settings.h"

#include <gtest/gtest.h>

namespace hfd::ctl {
namespace {

TEST(SetParameter, SetsTheDaemonsParamFromOllamasName) {
  nlohmann::json params{{"model", "m"}};
  EXPECT_EQ(*SetParameter(" temperature 0.2", params), "Set parameter 'temperature' to '0.2'.");
  EXPECT_DOUBLE_EQ(params["temperature"].get<double>(), 0.2);
  ASSERT_TRUE(SetParameter("num_predict 64", params).ok());
  EXPECT_EQ(params["max_tokens"], 64);
  ASSERT_TRUE(SetParameter("seed 7", params).ok());
  EXPECT_EQ(params["seed"], 7);
  ASSERT_TRUE(SetParameter("stop </s> END", params).ok());
  EXPECT_EQ(params["stop"], nlohmann::json({"</s>", "END"}));
  EXPECT_NE(ShowParameters(params).find("max_tokens      64"), std::string::npos)
      << ShowParameters(params);
}

TEST(SetParameter, BadValuesAndNamesSayWhatIsAccepted) {
  nlohmann::json params = nlohmann::json::object();
  EXPECT_EQ(SetParameter("temperature hot", params).status().message(),
            "temperature: expected a number from 0 to 100, got \"hot\"");
  EXPECT_EQ(SetParameter("top_p 1.5", params).status().message(),
            "top_p: expected a number from 0 to 1, got \"1.5\"");
  const Status unknown = SetParameter("temprature 1", params).status();
  EXPECT_NE(unknown.message().find("unknown parameter 'temprature'"), std::string::npos);
  EXPECT_NE(unknown.message().find("repeat_penalty"), std::string::npos) << unknown.message();
  EXPECT_FALSE(SetParameter("seed", params).ok());
  EXPECT_FALSE(SetParameter("seed 1 2", params).ok());
  EXPECT_EQ(params, nlohmann::json::object());  // nothing set by a refused value
}

}  // namespace
}  // namespace hfd::ctl
