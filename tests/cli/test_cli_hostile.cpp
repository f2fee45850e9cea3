// Hostile and careless input (issue 18), against the real binary started with raw byte
// arguments (fork/exec, so non-UTF-8 names reach it unchanged): bounded scene reads from devices
// and pipes, a 16 MiB file of unknown fields, every write checked (exit 4, no partial file),
// nothing non-finite in row 0, byte-exact file names, and the documented caps.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <QTemporaryDir>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Raw {
    int code = -1;
    std::string out, err;
    long max_rss_kb = 0;
};

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Runs the CLI; stdout goes to `stdout_path` when given (e.g. /dev/full), else is captured.
// `fsize_limit` > 0 caps the size of any file the CLI writes (RLIMIT_FSIZE: a "full disk").
Raw run(const std::vector<std::string>& args, const std::string& stdout_path = {},
        long fsize_limit = 0) {
    static QTemporaryDir capture;
    const std::string out_file = capture.filePath("stdout").toStdString();
    const std::string err_file = capture.filePath("stderr").toStdString();
    std::vector<std::string> argv_s = {NOETHER_CLI};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    const pid_t pid = fork();
    if (pid == 0) {
        const std::string o = stdout_path.empty() ? out_file : stdout_path;
        const int fo = ::open(o.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int fe = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        ::dup2(fo, 1);
        ::dup2(fe, 2);
        if (fsize_limit > 0) {
            ::signal(SIGXFSZ, SIG_IGN);  // a write past the limit fails with EFBIG instead
            rlimit rl{static_cast<rlim_t>(fsize_limit), static_cast<rlim_t>(fsize_limit)};
            ::setrlimit(RLIMIT_FSIZE, &rl);
        }
        ::alarm(120);  // a hang is a failure, not a stuck test
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    Raw r;
    int status = 0;
    rusage ru{};
    ::wait4(pid, &status, 0, &ru);
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.max_rss_kb = ru.ru_maxrss;
    if (stdout_path.empty()) r.out = slurp(out_file);
    r.err = slurp(err_file);
    return r;
}

const std::vector<std::string> kSim = {"simulate", "--loss",  "rotation_hat", "--q0",
                                       "0.6,0.5",  "--steps", "20000"};

std::vector<std::string> with(std::vector<std::string> a, const std::vector<std::string>& more) {
    a.insert(a.end(), more.begin(), more.end());
    return a;
}

int lines(const std::string& s) {
    return static_cast<int>(std::count(s.begin(), s.end(), '\n'));
}

std::vector<std::string> entries(const std::string& dir) {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(dir))
        out.push_back(e.path().filename().string());
    return out;
}

const std::string kMinimal =
    R"({"format": "noetherlab-scene", "version": 1, "loss": {"name": "rotation_hat"},)"
    R"( "q0": [0.6, 0.5], "steps": 10)";

TEST(CliHostile, SceneFromADeviceIsReadBoundedAndRefused) {
    for (const char* dev : {"/dev/zero", "/dev/urandom"}) {
        const Raw r = run({"simulate", "--scene", dev});
        EXPECT_EQ(r.code, 2) << dev;
        EXPECT_NE(r.err.find(dev), std::string::npos) << r.err;
        EXPECT_NE(r.err.find("too large"), std::string::npos) << r.err;
        EXPECT_EQ(lines(r.err), 1) << r.err;
        EXPECT_TRUE(r.out.empty());
        EXPECT_LT(r.max_rss_kb, 400 * 1024) << dev;  // the limit + 1 byte, not until killed
    }
}

TEST(CliHostile, SceneFromAPipe_AValidOneRunsAndAnEndlessOneIsRefused) {
    ::signal(SIGPIPE, SIG_IGN);
    QTemporaryDir dir;
    const std::string fifo = dir.filePath("scene.fifo").toStdString();
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    const auto feed = [&](std::string bytes) {
        return std::thread([fifo, bytes = std::move(bytes)] {
            const int fd = ::open(fifo.c_str(), O_WRONLY);
            if (fd < 0) return;
            size_t off = 0;
            while (off < bytes.size()) {
                const ssize_t n = ::write(fd, bytes.data() + off, bytes.size() - off);
                if (n <= 0) break;
                off += static_cast<size_t>(n);
            }
            ::close(fd);
        });
    };
    std::thread good = feed(kMinimal + "}");
    const Raw a = run({"simulate", "--scene", fifo});
    good.join();
    EXPECT_EQ(a.code, 0) << a.err;
    EXPECT_EQ(lines(a.out), 12);
    std::thread endless = feed(std::string(17 * 1024 * 1024, ' '));
    const Raw b = run({"simulate", "--scene", fifo});
    endless.join();
    EXPECT_EQ(b.code, 2);
    EXPECT_NE(b.err.find(fifo), std::string::npos) << b.err;
    EXPECT_NE(b.err.find("too large"), std::string::npos) << b.err;
}

TEST(CliHostile, SixteenMiBOfUnknownFields_IsRefusedInBoundedMemoryAndTime) {
    QTemporaryDir dir;
    const std::string path = dir.filePath("unknown.noether").toStdString();
    std::string text = kMinimal;
    for (long i = 0; text.size() < 16 * 1024 * 1024 - 32; ++i)
        text += ", \"u" + std::to_string(i) + "\": 0";
    text += "}";
    ASSERT_LE(text.size(), 16u * 1024 * 1024);
    { std::ofstream(path, std::ios::binary) << text; }
    const auto t0 = std::chrono::steady_clock::now();
    const Raw r = run({"simulate", "--scene", path});
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("unknown fields (at most 256"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(path), std::string::npos) << r.err;
    // Was 4.7 GB and 32 s. Generous bounds: a small multiple of the file, seconds not minutes.
    EXPECT_LT(r.max_rss_kb, 20 * 16 * 1024) << "max RSS " << r.max_rss_kb << " KiB";
    EXPECT_LT(seconds, 20.0);
}

TEST(CliHostile, StdoutOnAFullDevice_ExitsFourNamingStandardOutput) {
    for (const auto& args :
         {kSim, std::vector<std::string>{"losses"}, std::vector<std::string>{"--help"},
          std::vector<std::string>{"sweep", "--loss", "quadratic", "--q0", "1,1", "--lr-range",
                                   "0.01:0.5:4", "--momentum-range", "0:0.9:4", "--steps", "50",
                                   "--metric", "final_loss"}}) {
        const Raw r = run(args, "/dev/full");
        EXPECT_EQ(r.code, 4) << args.front();
        EXPECT_NE(r.err.find("could not write standard output: No space left on device"),
                  std::string::npos)
            << r.err;
        EXPECT_EQ(lines(r.err), 1) << r.err;
    }
}

TEST(CliHostile, StdoutIntoAFileOnAFullDisk_ExitsFour) {
    QTemporaryDir dir;
    const std::string path = dir.filePath("cut.csv").toStdString();
    const Raw r = run(kSim, path, 64 * 1024);  // the CSV is ~4 MB
    EXPECT_EQ(r.code, 4);
    EXPECT_NE(r.err.find("could not write standard output"), std::string::npos) << r.err;
}

TEST(CliHostile, OutOnAFullDiskOrDevice_ExitsFourAndLeavesNoPartialFile) {
    QTemporaryDir dir;
    const std::string d = dir.path().toStdString();
    // A regular file on a "full disk" (RLIMIT_FSIZE): no file, no temporary left.
    for (const char* name : {"/run.csv", "/run.json"}) {
        const Raw r = run(with(kSim, {"--out", d + name}), {}, 64 * 1024);
        EXPECT_EQ(r.code, 4) << name;
        EXPECT_NE(r.err.find("could not write " + d + name + ": File too large"), std::string::npos)
            << r.err;
        EXPECT_TRUE(entries(d).empty());
    }
    // An existing file stays as it was.
    { std::ofstream(d + "/keep.csv") << "old"; }
    EXPECT_EQ(run(with(kSim, {"--out", d + "/keep.csv"}), {}, 64 * 1024).code, 4);
    EXPECT_EQ(slurp(d + "/keep.csv"), "old");
    EXPECT_EQ(entries(d).size(), 1u);
    // A device (a link named .csv to /dev/full), a missing folder, a folder as target.
    std::filesystem::create_symlink("/dev/full", d + "/full.csv");
    const Raw full = run(with(kSim, {"--out", d + "/full.csv"}));
    EXPECT_EQ(full.code, 4);
    EXPECT_NE(full.err.find("No space left on device"), std::string::npos) << full.err;
    const Raw missing = run(with(kSim, {"--out", d + "/no/such/dir/run.csv"}));
    EXPECT_EQ(missing.code, 4);
    EXPECT_NE(missing.err.find("could not write " + d + "/no/such/dir/run.csv"), std::string::npos)
        << missing.err;
    std::filesystem::create_directory(d + "/taken.csv");
    EXPECT_EQ(run(with(kSim, {"--out", d + "/taken.csv"})).code, 4);
    EXPECT_TRUE(std::filesystem::is_directory(d + "/taken.csv"));
    // A read-only folder (root may write anyway: then it simply succeeds).
    std::filesystem::create_directory(d + "/ro");
    ::chmod((d + "/ro").c_str(), 0555);
    const Raw ro = run(with(kSim, {"--out", d + "/ro/run.csv"}));
    if (::geteuid() != 0) {
        EXPECT_EQ(ro.code, 4);
        EXPECT_FALSE(std::filesystem::exists(d + "/ro/run.csv"));
    }
    ::chmod((d + "/ro").c_str(), 0755);
    // The same for sweep and render.
    const Raw sweep = run({"sweep", "--loss", "quadratic", "--q0", "1,1", "--lr-range",
                           "0.01:0.5:4", "--momentum-range", "0:0.9:4", "--steps", "50", "--metric",
                           "final_loss", "--out", d + "/full.csv"});
    EXPECT_EQ(sweep.code, 4) << sweep.err;
    // A big sweep is streamed to its file in 64 KiB pieces: cut off after the first ones, it
    // leaves nothing (no file, no temporary) and an existing file as it was; so does stdout.
    const std::vector<std::string> big{
        "sweep",      "--loss",     "rotation_hat",     "--q0",       "0.6,0.5",
        "--lr-range", "1e-3:2:256", "--momentum-range", "0:0.99:256", "--steps",
        "20",         "--metric",   "final_loss"};
    const std::string e = d + "/big";  // a folder of its own
    std::filesystem::create_directory(e);
    ASSERT_TRUE(entries(e).empty());
    const Raw cut = run(with(big, {"--out", e + "/map.csv"}), {}, 256 * 1024);
    EXPECT_EQ(cut.code, 4);
    EXPECT_NE(cut.err.find("could not write " + e + "/map.csv: File too large"), std::string::npos)
        << cut.err;
    EXPECT_TRUE(entries(e).empty());
    { std::ofstream(e + "/map.csv") << "old"; }
    EXPECT_EQ(run(with(big, {"--out", e + "/map.csv"}), {}, 256 * 1024).code, 4);
    EXPECT_EQ(slurp(e + "/map.csv"), "old");
    EXPECT_EQ(entries(e).size(), 1u);
    const Raw cut_stdout = run(big, e + "/stdout.csv", 256 * 1024);
    EXPECT_EQ(cut_stdout.code, 4);
    EXPECT_NE(cut_stdout.err.find("could not write standard output"), std::string::npos)
        << cut_stdout.err;
    EXPECT_EQ(lines(cut_stdout.err), 1) << cut_stdout.err;
    // And whole, the streamed file is the bytes of stdout.
    const Raw whole = run(with(big, {"--out", e + "/whole.csv"}));
    EXPECT_EQ(whole.code, 0) << whole.err;
    EXPECT_EQ(slurp(e + "/whole.csv"), run(big).out);
}

TEST(CliHostile, HugeEpsIsRefusedNamingIt_NeverInfInRowZero) {
    const Raw r = run({"simulate", "--loss", "rotation_hat", "--q0", "0.6,0.5", "--eps", "1e308",
                       "--steps", "5"});
    EXPECT_EQ(r.code, 2);
    EXPECT_EQ(r.err.rfind("noetherlab-cli: --eps: ", 0), 0u) << r.err;
    EXPECT_TRUE(r.out.empty());
    QTemporaryDir dir;
    const std::string path = dir.filePath("eps.noether").toStdString();
    {
        std::ofstream(path) << R"({"format": "noetherlab-scene", "version": 1,)"
                            << R"( "loss": {"name": "rotation_hat", "eps": 1e308},)"
                            << R"( "q0": [0.6, 0.5], "steps": 5})";
    }
    const Raw f = run({"simulate", "--scene", path});
    EXPECT_EQ(f.code, 2);
    EXPECT_NE(f.err.find("loss.eps"), std::string::npos) << f.err;
    EXPECT_EQ(f.out.find("inf"), std::string::npos);
}

TEST(CliHostile, NonUtf8FileNamesKeepTheirBytes) {
    QTemporaryDir dir;
    const std::string d = dir.path().toStdString();
    const std::string scene = d +
                              "/sc\xff"
                              "ene.noether";
    const std::string out = d +
                            "/r\xff"
                            "un.csv";
    { std::ofstream(scene) << kMinimal << "}"; }
    const Raw r = run({"simulate", "--scene", scene, "--out", out});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(lines(slurp(out)), 12);
    std::vector<std::string> names = entries(d);
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string>{"r\xff"
                                               "un.csv",
                                               "sc\xff"
                                               "ene.noether"}));
    // A missing such name is named with its bytes.
    const Raw missing = run({"simulate", "--scene", d + "/n\xfe.noether"});
    EXPECT_EQ(missing.code, 2);
    EXPECT_NE(missing.err.find(d + "/n\xfe.noether"), std::string::npos);
}

TEST(CliHostile, CapsAreRefusedNamingTheField) {
    const Raw steps =
        run({"simulate", "--loss", "rotation_hat", "--q0", "0.6,0.5", "--steps", "10000001"});
    EXPECT_EQ(steps.code, 2);
    EXPECT_EQ(steps.err.rfind("noetherlab-cli: --steps: ", 0), 0u) << steps.err;
    const Raw stored =
        run({"simulate", "--loss", "rayleigh", "--q0", "1,1,1,1", "--steps", "10000000"});
    EXPECT_EQ(stored.code, 2);
    EXPECT_NE(stored.err.find("--steps: asks for 40000004 stored samples"), std::string::npos)
        << stored.err;
    QTemporaryDir dir;
    const std::string path = dir.filePath("big.noether").toStdString();
    {
        std::ofstream(path) << R"({"format": "noetherlab-scene", "version": 1,)"
                            << R"( "loss": {"name": "rotation_hat"}, "q0": [0.6, 0.5],)"
                            << R"( "steps": 10000000, "models": ["discrete", "ode", "flow"]})";
    }
    const Raw file = run({"simulate", "--scene", path});
    EXPECT_EQ(file.code, 2);
    EXPECT_NE(file.err.find("steps: asks for"), std::string::npos) << file.err;
    const Raw samples = run({"discover", "--loss", "rotation_hat", "--samples", "200001"});
    EXPECT_EQ(samples.code, 2);
    EXPECT_EQ(samples.err.rfind("noetherlab-cli: --samples: ", 0), 0u) << samples.err;
    const Raw cells =
        run({"sweep", "--loss", "quadratic", "--q0", "1,1", "--lr-range", "0.01:0.5:70000",
             "--momentum-range", "0:0.9:4", "--steps", "5", "--metric", "final_loss"});
    EXPECT_EQ(cells.code, 2);
    EXPECT_EQ(cells.err.rfind("noetherlab-cli: --lr-range: ", 0), 0u) << cells.err;
}

TEST(CliHostile, HelpListsTheLimitsAndEveryExitStatus) {
    const Raw top = run({"--help"});
    EXPECT_EQ(top.code, 0);
    for (const char* s : {"16 MiB", "256 unknown fields", "10000000", "40000000", "200000",
                          "16777216", "4 could not write", "3 diverged", "2 invalid input"})
        EXPECT_NE(top.out.find(s), std::string::npos) << s;
    const Raw sim = run({"simulate", "--help"});
    EXPECT_NE(sim.out.find("4 could not write"), std::string::npos);
}

}  // namespace
