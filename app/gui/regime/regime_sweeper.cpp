#include "gui/regime/regime_sweeper.hpp"

#include <chrono>

namespace noether::gui {

namespace {
// Overlays are solved over the centres of a fine grid: they then span the picture to within a
// thousandth of its width, and an axis edge that is not a valid value (lr = 0) is never used.
constexpr long kOverlayGrid = 1024;
constexpr int kOverlaySamples = 257;
}  // namespace

RegimeSweeper::RegimeSweeper(QObject* parent) : QObject(parent) {
    worker_ = std::thread([this] { workerLoop(); });
}

RegimeSweeper::~RegimeSweeper() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        quit_ = true;
        cancel_ = true;
    }
    cv_.notify_all();
    worker_.join();
}

quint64 RegimeSweeper::request(const RegimeRequest& r) {
    const quint64 gen = ++requested_;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        pending_ = r;
        pending_generation_ = gen;
        cancel_ = true;  // the running request is stale
    }
    active_ = true;
    cv_.notify_all();
    return gen;
}

void RegimeSweeper::cancel() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        pending_.reset();
        cancel_ = true;
    }
    const bool was_active = active_;
    cancelled_upto_ = requested_;
    active_ = false;
    if (was_active) emit finished(requested_, true);
}

void RegimeSweeper::deliver(std::shared_ptr<const RegimeMap> map) {
    QMetaObject::invokeMethod(
        this,
        [this, map] {
            if (map->generation < requested_ || map->generation <= cancelled_upto_) return;
            emit passReady(map);
            if (map->isFinal()) {
                active_ = false;
                emit finished(map->generation, false);
            }
        },
        Qt::QueuedConnection);
}

void RegimeSweeper::workerLoop() {
    for (;;) {
        RegimeRequest req;
        quint64 gen = 0;
        {
            std::unique_lock<std::mutex> lock(mutex_);
            cv_.wait(lock, [this] { return quit_ || pending_.has_value(); });
            if (quit_) return;
            req = std::move(*pending_);
            pending_.reset();
            gen = pending_generation_;
            cancel_ = false;
        }
        // Posts a call to the GUI thread unless the request has been overtaken by then.
        auto post = [this, gen](auto fn) {
            QMetaObject::invokeMethod(
                this,
                [this, gen, fn] {
                    if (gen < requested_ || gen <= cancelled_upto_) return;
                    fn();
                },
                Qt::QueuedConnection);
        };
        auto fail = [&](const Error& e) {
            const QString msg = QString::fromStdString(e.what());
            post([this, gen, msg] {
                active_ = false;
                emit failed(msg, gen);
                emit finished(gen, false);
            });
        };

        // Theory overlays, once per request, over the full range.
        std::vector<SweepOverlay> overlays;
        QString overlay_error;
        {
            SweepSpec full = regimeSpec(req, kOverlayGrid);
            full.x.values = {full.x.values.front(), full.x.values.back()};
            full.y.values = {full.y.values.front(), full.y.values.back()};
            auto ov = sweep_overlays(full, kOverlaySamples);
            if (ov)
                overlays = std::move(ov.value());
            else
                overlay_error = QString::fromStdString(ov.error().what());
        }

        const std::vector<long> passes = regimePasses(req.resolution);
        const int npass = static_cast<int>(passes.size());
        for (int i = 0; i < npass; ++i) {
            if (cancel_) break;
            SweepSpec spec = regimeSpec(req, passes[i]);
            SweepOptions opt;
            opt.cancel = &cancel_;
            opt.progress = [&post, i, npass, gen, this](long done, long total) {
                post([this, gen, i, npass, done, total] {
                    emit progress(gen, i, npass, done, total);
                });
            };
            const auto t0 = std::chrono::steady_clock::now();
            auto res = run_sweep(spec, opt);
            const auto t1 = std::chrono::steady_clock::now();
            if (!res) {
                if (res.error().field != "cancel") fail(res.error());
                break;  // cancelled: the GUI side already said so
            }
            auto map = std::make_shared<RegimeMap>();
            map->request = req;
            map->spec = std::move(spec);
            map->result = std::move(res.value());
            map->overlays = overlays;
            map->overlay_error = overlay_error;
            map->pass = i;
            map->passes = npass;
            map->generation = gen;
            map->engine_ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
            deliver(std::move(map));
        }
    }
}

}  // namespace noether::gui
