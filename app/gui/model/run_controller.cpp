#include "gui/model/run_controller.hpp"

#include <QMetaObject>
#include <algorithm>
#include <chrono>
#include <vector>

#include "gui/profile.hpp"
#include "noether/discovery.hpp"

namespace noether::gui {

RunController::RunController(QObject* parent) : QObject(parent) {
    worker_ = std::thread([this] { workerLoop(); });
}

RunController::~RunController() {
    {
        std::lock_guard lock(mutex_);
        quit_ = true;
        pending_.reset();
        cancel_ = true;
    }
    cv_.notify_all();
    worker_.join();
}

quint64 RunController::request(const Scene& scene, std::vector<Generator> adopted,
                               std::vector<GhostScene> ghosts) {
    const quint64 gen = ++requested_;
    {
        std::lock_guard lock(mutex_);
        pending_ = scene;
        pending_adopted_ = std::move(adopted);
        pending_ghosts_ = std::move(ghosts);
        pending_generation_ = gen;
        // A run in progress is of an older scene: stop it, its result would be dropped anyway.
        if (running_) cancel_ = true;
    }
    cv_.notify_one();
    return gen;
}

bool RunController::busy() const {
    std::lock_guard lock(mutex_);
    return running_ || pending_.has_value();
}

void RunController::workerLoop() {
    for (;;) {
        Scene scene;
        std::vector<Generator> adopted;
        std::vector<GhostScene> ghost_scenes;
        quint64 gen = 0;
        {
            std::unique_lock lock(mutex_);
            cv_.wait(lock, [this] { return quit_ || pending_.has_value(); });
            if (quit_) return;
            scene = std::move(*pending_);
            adopted = std::move(pending_adopted_);
            ghost_scenes = std::move(pending_ghosts_);
            gen = pending_generation_;
            pending_.reset();
            running_ = true;
            cancel_ = false;
        }
        const auto t0 = std::chrono::steady_clock::now();
        profileMark("engine start (worker)");
        // Adopted generators (symmetry discovery) replace the loss's own.
        std::shared_ptr<const Loss> loss;
        if (!adopted.empty()) {
            if (auto base = make_loss(scene.loss)) {
                const int n = base.value()->dim();
                const bool fit =
                    std::all_of(adopted.begin(), adopted.end(), [n](const Generator& g) {
                        return g.A.rows() == n && g.A.cols() == n && g.b.size() == n;
                    });
                if (fit) loss = adopt_generators(base.value(), std::move(adopted), true);
            }
        }
        if (!loss) {
            auto built = make_loss(scene.loss);
            if (built) loss = built.value();
        }
        // simulate() runs the models of a long run concurrently (bit-identical to one by one).
        auto result = loss ? simulate(scene, loss, &cancel_) : simulate(scene);
        std::vector<GhostRun> ghosts;
        if (result)
            for (const GhostScene& g : ghost_scenes)
                if (auto gl = make_loss(g.scene.loss))
                    if (auto r = simulate(g.scene, gl.value(), &cancel_))
                        ghosts.push_back({g.label, r.value()});
        profileMark("engine done (worker)");
        const double ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                .count();
        {
            std::lock_guard lock(mutex_);
            running_ = false;
            if (quit_) return;
            // Cancelled for a newer request (queued): deliver nothing, the newer run follows.
            if (cancel_ && pending_) continue;
        }
        // Deliver on the GUI thread; the lambda owns the result.
        if (result) {
            std::shared_ptr<const Run> run = result.value();
            QMetaObject::invokeMethod(
                this,
                [this, run, gen, ms, ghosts = std::move(ghosts)] {
                    delivered_ = std::max(delivered_, gen);
                    ghosts_ = ghosts;
                    emit runReady(run, gen, ms);
                },
                Qt::QueuedConnection);
        } else {
            const QString msg = QString::fromStdString(result.error().what());
            QMetaObject::invokeMethod(
                this,
                [this, msg, gen] {
                    delivered_ = std::max(delivered_, gen);
                    emit runFailed(msg, gen);
                },
                Qt::QueuedConnection);
        }
    }
}

}  // namespace noether::gui
