// Under `xvfb-run ctest -j2` a GUI test process now and then fails to connect to Xvfb
// ("qt.qpa.xcb: could not connect to display :99", after which Qt aborts in the QApplication
// constructor), although the server is up and serves the next process. Before creating the
// QApplication, the GUI test mains make sure the display accepts a connection, retrying for up
// to 5 s and saying on stderr when they had to.
#pragma once

#include <xcb/xcb.h>

#include <chrono>
#include <cstdio>
#include <thread>

inline bool waitForDisplay() {
    for (int attempt = 0; attempt < 50; ++attempt) {
        xcb_connection_t* c = xcb_connect(nullptr, nullptr);
        const int err = xcb_connection_has_error(c);
        xcb_disconnect(c);
        if (err == 0) {
            if (attempt > 0)
                std::fprintf(stderr, "gui test: the display accepted a connection at attempt %d\n",
                             attempt + 1);
            return true;
        }
        std::fprintf(stderr, "gui test: display connection failed (xcb error %d), retrying\n", err);
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
}
