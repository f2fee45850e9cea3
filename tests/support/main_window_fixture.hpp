// The fixture of the GUI tests that drive the real main window: a 1600 x 1000 window, shown,
// exposed and with its first frame presented; skipped without a display.
#pragma once

#include <gtest/gtest.h>

#include <QApplication>
#include <QTest>
#include <memory>

#include "gui/app_driver.hpp"
#include "gui/main_window.hpp"
#include "gui/model/run_controller.hpp"

class MainWindowFixture : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!haveDisplay()) GTEST_SKIP() << "no display (run under xvfb-run)";
        window_ = std::make_unique<noether::gui::MainWindow>(false);
        window_->resize(1600, 1000);
        window_->show();
        ASSERT_TRUE(QTest::qWaitForWindowExposed(window_.get()));
        ASSERT_TRUE(noether::gui::waitFirstFrame(*window_, 20000)) << "first frame never presented";
    }
    void TearDown() override { window_.reset(); }

    /// True when the window can be shown (a QApplication on a real display).
    virtual bool haveDisplay() const { return qApp != nullptr; }
    /// Waits until the run of the last request has been presented.
    bool settle(int timeout_ms = 20000) {
        return noether::gui::waitPresented(*window_, window_->runs()->lastRequested(), timeout_ms);
    }

    std::unique_ptr<noether::gui::MainWindow> window_;
};
