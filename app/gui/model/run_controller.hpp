// RunController: turns Scenes into Runs off the GUI thread. A worker thread takes the latest
// request (older pending requests are dropped and a stale run in progress is cancelled: latest
// wins), runs each selected model of
// noether::simulate on its own thread (models are independent, so the Run is bit-identical to
// a serial simulate()), and delivers an immutable std::shared_ptr<const Run> to the GUI thread.
#pragma once

#include <QObject>
#include <QString>
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "noether/run.hpp"

namespace noether::gui {

/// A companion scene drawn faintly beside the current one (a scene file's view.compare).
struct GhostScene {
    QString label;
    Scene scene;
};
/// Its run.
struct GhostRun {
    QString label;
    std::shared_ptr<const Run> run;
};

/// Runs the engine on a worker thread, latest request wins.
class RunController : public QObject {
    Q_OBJECT
  public:
    explicit RunController(QObject* parent = nullptr);
    ~RunController() override;

    /// Queues a scene; returns its generation number (increasing). `adopted`: generators that
    /// replace the loss's own (symmetry discovery), dropped if their size is not the loss's.
    /// `ghosts`: companion scenes simulated after the scene itself (a failing one is left out).
    quint64 request(const Scene& scene, std::vector<Generator> adopted = {},
                    std::vector<GhostScene> ghosts = {});
    /// Generation of the last request.
    quint64 lastRequested() const { return requested_; }
    /// Generation of the last result delivered (run or error).
    quint64 lastDelivered() const { return delivered_; }
    /// True while a request is queued or running.
    bool busy() const;
    /// The ghost runs delivered with the last run (GUI thread).
    const std::vector<GhostRun>& ghosts() const { return ghosts_; }

  signals:
    /// A run finished (GUI thread). `engine_ms` is the wall time of the simulation.
    void runReady(std::shared_ptr<const noether::Run> run, quint64 generation, double engine_ms);
    /// The scene was rejected (bad input); the message names the field.
    void runFailed(const QString& message, quint64 generation);

  private:
    void workerLoop();

    std::thread worker_;
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::optional<Scene> pending_;
    std::vector<Generator> pending_adopted_;
    std::vector<GhostScene> pending_ghosts_;
    std::vector<GhostRun> ghosts_;
    quint64 pending_generation_ = 0;
    bool running_ = false;
    std::atomic<bool> cancel_{false};  ///< set by request() to stop the run in progress
    bool quit_ = false;
    quint64 requested_ = 0;
    quint64 delivered_ = 0;
};

}  // namespace noether::gui
