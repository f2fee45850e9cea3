// GoogleTest main for the regime-map GUI tests: a QApplication when a display is there (the
// tests skip without one), none when only listing the tests.
#include <gtest/gtest.h>

#include <QApplication>
#include <cstring>
#include <memory>

int main(int argc, char** argv) {
    bool listing = false;
    for (int i = 1; i < argc; ++i)
        listing |= std::strcmp(argv[i], "--gtest_list_tests") == 0;
    std::unique_ptr<QApplication> app;
    const bool display =
        qEnvironmentVariableIsSet("DISPLAY") || qEnvironmentVariableIsSet("WAYLAND_DISPLAY");
    if (!listing && display) {
        app = std::make_unique<QApplication>(argc, argv);
        QApplication::setOrganizationName("NoetherLabTests");
        QApplication::setApplicationName("noetherlab-regime-tests");
    }
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
