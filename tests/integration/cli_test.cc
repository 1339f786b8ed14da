// The command line as an operator uses it: --version, --help, --validate with every error.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "support/instances.h"

namespace meshlb::testing {
namespace {

struct CliRun {
  int code = -1;
  std::string out;
  std::string err;
};

CliRun runMeshlb(const std::vector<std::string>& args) {
  std::string err_path = tempPath("cli.err");
  CliRun run;
  {
    Process process(MESHLB_BINARY, args, err_path);
    process.waitForLine("\x01 not printed", std::chrono::seconds(10));  // stdout until exit
    run.code = process.wait(std::chrono::seconds(5));
    run.out = process.output();
  }
  std::ifstream file(err_path);
  std::stringstream text;
  text << file.rdbuf();
  run.err = text.str();
  return run;
}

TEST(CliTest, VersionAndHelp) {
  CliRun version = runMeshlb({"--version"});
  EXPECT_EQ(version.code, 0);
  EXPECT_TRUE(version.out.starts_with("meshlb ")) << version.out;
  CliRun help = runMeshlb({"--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("--validate"), std::string::npos) << help.out;
  CliRun bogus = runMeshlb({"--bogus"});
  EXPECT_EQ(bogus.code, 2);
  EXPECT_NE(bogus.err.find("unknown argument"), std::string::npos) << bogus.err;
}

TEST(CliTest, ValidateAcceptsTheShippedConfigs) {
  CliRun run = runMeshlb({"--validate", "--config", MESHLB_SOURCE_DIR "/configs/demo.json"});
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_NE(run.out.find("valid"), std::string::npos);
}

TEST(CliTest, ValidateReportsEveryErrorWithItsPath) {
  std::string path = tempPath("bad.json");
  std::ofstream(path) << R"({
    "listeners": [
      { "name": "web", "address": "127.0.0.1:8080", "protocol": "http",
        "routes": [ { "cluster": "missing" } ] },
      { "name": "raw", "address": "127.0.0.1:8081", "protocol": "tcp", "cluster": "app",
        "tiemout": 5 }
    ],
    "clusters": [
      { "name": "app", "hosts": [ { "address": "127.0.0.1:9001" }, { "address": "127.0.0.1:9002" },
                                  { "address": "127.0.0.1:70000" } ] }
    ]
  })";
  CliRun run = runMeshlb({"--validate", "--config", path});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("clusters[0].hosts[2].address: port out of range"), std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("listeners[1].tiemout: unknown key"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("listeners[0].routes[0].cluster: no cluster named \"missing\""),
            std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("3 error(s)"), std::string::npos) << run.err;
}

TEST(CliTest, StartFailsClearlyWhenAPortIsTaken) {
  TestUpstream squatter("squatter");  // holds a port without SO_REUSEPORT
  std::string path = tempPath("taken.json");
  nlohmann::json config = {
      {"admin", {{"address", "127.0.0.1:" + std::to_string(freePort())}}},
      {"listeners",
       {{{"name", "web"}, {"address", squatter.address()}, {"routes", {{{"cluster", "app"}}}}}}},
      {"clusters", {clusterOf("app", {&squatter})}}};
  std::ofstream(path) << config.dump();
  CliRun run = runMeshlb({"--config", path});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("listener web: bind"), std::string::npos) << run.err;
}

TEST(CliTest, StartFailsClearlyWhenTheAdminPortIsTaken) {
  TestUpstream squatter("squatter");
  std::string path = tempPath("admin-taken.json");
  nlohmann::json config = {{"admin", {{"address", squatter.address()}}},
                           {"listeners",
                            {{{"name", "web"},
                              {"address", "127.0.0.1:" + std::to_string(freePort())},
                              {"routes", {{{"cluster", "app"}}}}}}},
                           {"clusters", {clusterOf("app", {&squatter})}}};
  std::ofstream(path) << config.dump();
  CliRun run = runMeshlb({"--config", path});
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("admin listener " + squatter.address()), std::string::npos) << run.err;
}

}  // namespace
}  // namespace meshlb::testing
