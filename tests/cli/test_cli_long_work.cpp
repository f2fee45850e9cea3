// Long CLI work (issues 17 and 18): a progress line on stderr only when stderr is a terminal,
// and Ctrl-C that stops simulate and sweep cleanly (exit 130, nothing written, no temp file).
// Started with fork/exec (and forkpty for the terminal), as a shell would.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <QTemporaryDir>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

std::vector<char*> argv_of(std::vector<std::string>& args) {
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    return argv;
}

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Waits for pid at most `limit`; kills it (and fails) past that. Returns the wait status.
int wait_for(pid_t pid, std::chrono::seconds limit) {
    const auto end = clock_type::now() + limit;
    int status = 0;
    while (waitpid(pid, &status, WNOHANG) == 0) {
        if (clock_type::now() > end) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            ADD_FAILURE() << "the CLI did not stop within " << limit.count() << " s";
            return -1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return status;
}

// Starts argv (argv[0] the program) with stderr into err_path and stdout into out_path (when
// given); returns the child's pid.
pid_t spawn(std::vector<std::string> args, const std::string& err_path,
            const std::string& out_path = {}) {
    auto argv = argv_of(args);
    const pid_t pid = fork();
    if (pid == 0) {
        if (!out_path.empty())
            ::dup2(::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644), 1);
        ::dup2(::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644), 2);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    return pid;
}

struct Interrupted {
    int status = -1;
    double seconds_to_stop = 0.0;
    std::string err;
};

// Starts the CLI with stdout and stderr to files, sends SIGINT after `after`, waits.
Interrupted interrupt(std::vector<std::string> args, const QTemporaryDir& dir,
                      std::chrono::milliseconds after) {
    args.insert(args.begin(), NOETHER_CLI);
    const std::string out = dir.filePath("stdout.txt").toStdString();
    const std::string err = dir.filePath("stderr.txt").toStdString();
    const pid_t pid = spawn(args, err, out);
    std::this_thread::sleep_for(after);
    // Still running: the work takes far longer than `after` (checked by the exit status).
    kill(pid, SIGINT);
    const auto t0 = clock_type::now();
    Interrupted r;
    r.status = wait_for(pid, std::chrono::seconds(20));
    r.seconds_to_stop = std::chrono::duration<double>(clock_type::now() - t0).count();
    r.err = slurp(err);
    return r;
}

// Files of `dir` other than the captured stdout/stderr.
std::vector<std::string> outputs_in(const QTemporaryDir& dir) {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(dir.path().toStdString())) {
        const auto name = e.path().filename().string();
        if (name != "stdout.txt" && name != "stderr.txt") names.push_back(name);
    }
    return names;
}

void expect_clean_interrupt(const Interrupted& r, const QTemporaryDir& dir) {
    ASSERT_TRUE(WIFEXITED(r.status)) << "killed by the signal instead of stopping: " << r.err;
    EXPECT_EQ(WEXITSTATUS(r.status), 130) << r.err;
    EXPECT_NE(r.err.find("interrupted: nothing written"), std::string::npos) << r.err;
    EXPECT_LT(r.seconds_to_stop, 5.0);
    EXPECT_TRUE(outputs_in(dir).empty()) << "left " << outputs_in(dir).front();
    EXPECT_TRUE(slurp(dir.filePath("stdout.txt").toStdString()).empty());
}

TEST(CliLongWork, CtrlCStopsALongSimulationWithExit130AndWritesNothing) {
    QTemporaryDir dir;
    // 5·10^6 steps of the 8-D typed loss with its ODE model: about 6 s of work here.
    const auto r =
        interrupt({"simulate", "--expr", "q1^2+q2^2+q3^2+q4^2+q5^2+q6^2+q7^2+q8^2", "--dim", "8",
                   "--q0", "1,1,1,1,1,1,1,1", "--lr", "0.001", "--steps", "4999999", "--model",
                   "ode", "--out", dir.filePath("run.json").toStdString()},
                  dir, std::chrono::milliseconds(700));
    expect_clean_interrupt(r, dir);
}

TEST(CliLongWork, CtrlCStopsANetworkTrainingAndABigSweep) {
    {
        QTemporaryDir dir;
        const auto r = interrupt(
            {"simulate", "--network", "2-32-1", "--data", "moons", "--steps", "300000", "--lr",
             "0.1", "--momentum", "0.9", "--out", dir.filePath("net.csv").toStdString()},
            dir, std::chrono::milliseconds(700));
        expect_clean_interrupt(r, dir);
    }
    {
        QTemporaryDir dir;
        const auto r = interrupt(
            {"sweep", "--loss", "rotation_hat", "--q0", "0.6,0.5", "--metric", "final_loss",
             "--lr-range", "1e-4:1e-3:2048", "--momentum-range", "0:0.99:2048", "--steps", "100000",
             "--out", dir.filePath("sweep.csv").toStdString()},
            dir, std::chrono::milliseconds(700));
        expect_clean_interrupt(r, dir);
    }
}

// Runs the CLI with stdout and stderr on a pseudo-terminal; returns everything it printed.
std::string run_on_terminal(std::vector<std::string> args, int& status) {
    args.insert(args.begin(), NOETHER_CLI);
    auto argv = argv_of(args);
    int master = -1;
    const pid_t pid = forkpty(&master, nullptr, nullptr, nullptr);
    if (pid == 0) {
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    std::string seen;
    char buf[4096];
    for (;;) {
        pollfd p{master, POLLIN, 0};
        if (poll(&p, 1, 30000) <= 0) break;
        const ssize_t got = ::read(master, buf, sizeof buf);
        if (got <= 0) break;  // EIO once the child has closed the terminal
        seen.append(buf, static_cast<size_t>(got));
    }
    ::close(master);
    status = wait_for(pid, std::chrono::seconds(30));
    return seen;
}

// About 2 s of work (training a 2-8-1 network): the line shows from 0.5 s on.
TEST(CliLongWork, ALongRunShowsItsProgressOnATerminalAndNothingOtherwise) {
    QTemporaryDir dir;
    const std::string out = dir.filePath("run.csv").toStdString();
    const std::vector<std::string> args = {"simulate", "--network", "2-8-1", "--data", "moons",
                                           "--steps",  "40000",     "--out", out};
    int status = -1;
    const std::string tty = run_on_terminal(args, status);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << tty;
    EXPECT_NE(tty.find("noetherlab-cli simulate: "), std::string::npos) << tty;
    EXPECT_NE(tty.find(" of 40001 samples)"), std::string::npos) << tty;
    // The line is redrawn in place and cleared at the end.
    EXPECT_NE(tty.find('\r'), std::string::npos);
    EXPECT_NE(tty.rfind("\r\033[K"), std::string::npos);
    EXPECT_GT(std::filesystem::file_size(out), 1000u);

    // The same run with stderr in a file: not one byte of progress.
    std::vector<std::string> a = args;
    a.insert(a.begin(), NOETHER_CLI);
    const std::string err = dir.filePath("stderr.txt").toStdString();
    const int st = wait_for(spawn(a, err), std::chrono::seconds(30));
    ASSERT_TRUE(WIFEXITED(st));
    EXPECT_EQ(WEXITSTATUS(st), 0);
    EXPECT_EQ(slurp(err), "");
}

}  // namespace

namespace {

// `render` runs in noetherlab-render beside noetherlab-cli (the other commands then start
// without Qt Gui). Without it, a message names the missing program and the exit status is 2.
TEST(CliRender, WithoutItsHelperSaysWhichProgramIsMissing) {
    QTemporaryDir dir;
    const std::string lonely = dir.filePath("noetherlab-cli").toStdString();
    std::filesystem::copy_file(NOETHER_CLI, lonely);
    std::filesystem::permissions(lonely, std::filesystem::perms::owner_all);
    std::vector<std::string> args = {lonely,    "render",
                                     "--scene", ":/presets/07-rescale-balancing.noether",
                                     "--out",   dir.filePath("out").toStdString()};
    const std::string err = dir.filePath("stderr.txt").toStdString();
    const int st = wait_for(spawn(args, err), std::chrono::seconds(30));
    ASSERT_TRUE(WIFEXITED(st));
    EXPECT_EQ(WEXITSTATUS(st), 2);
    const std::string text = slurp(err);
    EXPECT_NE(text.find("render: cannot start " + dir.filePath("noetherlab-render").toStdString()),
              std::string::npos)
        << text;
}

}  // namespace
