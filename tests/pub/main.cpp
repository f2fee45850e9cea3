// GoogleTest main for the publishing tests: a QApplication always (the figure tests paint with
// fonts; without a display it runs on the offscreen platform and the window tests skip).
#include <gtest/gtest.h>

#include <QApplication>
#include <cstdio>
#include <cstring>
#include <memory>

#include "pub_support.hpp"
#include "wait_display.hpp"

bool g_display = false;

int main(int argc, char** argv) {
    bool listing = false;
    for (int i = 1; i < argc; ++i)
        listing |= std::strcmp(argv[i], "--gtest_list_tests") == 0;
    std::unique_ptr<QApplication> app;
    g_display =
        qEnvironmentVariableIsSet("DISPLAY") || qEnvironmentVariableIsSet("WAYLAND_DISPLAY");
    if (!listing) {
        if (!g_display) qputenv("QT_QPA_PLATFORM", "offscreen");
        if (g_display && qEnvironmentVariableIsSet("DISPLAY") && !waitForDisplay()) {
            std::fprintf(stderr, "pub tests: the display never accepted a connection\n");
            return 1;
        }
        app = std::make_unique<QApplication>(argc, argv);
        QApplication::setOrganizationName("NoetherLabTests");
        QApplication::setApplicationName("noetherlab-pub-tests");
    }
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
