// GoogleTest main shared by the GUI test programs (tests/app, geometry_gui, regime_gui): a
// QApplication when a display is there (the GUI tests skip without one), none when only listing
// the tests. NOETHER_TEST_APP_NAME names the program (its QSettings stay apart).
#include <gtest/gtest.h>

#include <QApplication>
#include <cstdio>
#include <cstring>
#include <memory>

#include "wait_display.hpp"

int main(int argc, char** argv) {
    bool listing = false;
    for (int i = 1; i < argc; ++i)
        listing |= std::strcmp(argv[i], "--gtest_list_tests") == 0;
    std::unique_ptr<QApplication> app;
    const bool display =
        qEnvironmentVariableIsSet("DISPLAY") || qEnvironmentVariableIsSet("WAYLAND_DISPLAY");
    if (!listing && display) {
        if (!waitForDisplay()) {
            std::fprintf(stderr, "gui test: the display never accepted a connection\n");
            return 1;
        }
        app = std::make_unique<QApplication>(argc, argv);
        QApplication::setOrganizationName("NoetherLabTests");
        QApplication::setApplicationName(NOETHER_TEST_APP_NAME);
    }
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
