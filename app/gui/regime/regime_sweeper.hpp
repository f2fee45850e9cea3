// RegimeSweeper: computes regime maps off the GUI thread. A worker thread takes the latest
// request (a newer request cancels the running one), computes the theory overlays once, then
// runs the coarse-to-fine passes (16 x 16, 64 x 64, the full resolution) with
// noether::run_sweep on every core, delivering each complete pass to the GUI thread as an
// immutable RegimeMap. Cancel stops the sweep at its next check and drops everything of the
// cancelled request that has not been delivered yet: what is on screen stays.
#pragma once

#include <QObject>
#include <QString>
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "gui/regime/regime_map.hpp"

namespace noether::gui {

/// Runs regime sweeps on a worker thread, latest request wins.
class RegimeSweeper : public QObject {
    Q_OBJECT
  public:
    explicit RegimeSweeper(QObject* parent = nullptr);
    ~RegimeSweeper() override;

    /// Queues a request (cancelling the running one); returns its generation (increasing).
    quint64 request(const RegimeRequest& r);
    /// Stops the running and the queued request; nothing more of them is delivered.
    void cancel();
    /// Generation of the last request.
    quint64 lastRequested() const { return requested_; }
    /// True while a request is queued or running and not cancelled (GUI thread).
    bool busy() const { return active_; }

  signals:
    /// A complete pass (GUI thread).
    void passReady(std::shared_ptr<const noether::gui::RegimeMap> map);
    /// Progress of pass `pass` of `passes`: cells done of total (GUI thread).
    void progress(quint64 generation, int pass, int passes, long done, long total);
    /// The request was refused (bad input; the message names the field).
    void failed(const QString& message, quint64 generation);
    /// The request ended: its last pass was delivered, it failed, or it was cancelled.
    void finished(quint64 generation, bool cancelled);

  private:
    void workerLoop();
    void deliver(std::shared_ptr<const RegimeMap> map);

    std::thread worker_;
    std::mutex mutex_;
    std::condition_variable cv_;
    std::optional<RegimeRequest> pending_;
    quint64 pending_generation_ = 0;
    bool quit_ = false;
    std::atomic<bool> cancel_{false};
    // GUI thread only.
    quint64 requested_ = 0;
    quint64 cancelled_upto_ = 0;
    bool active_ = false;
};

}  // namespace noether::gui
