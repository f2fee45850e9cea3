#include "gui/model/run_controller.hpp"

#include <QMetaObject>
#include <algorithm>
#include <chrono>
#include <functional>
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
    }
    cv_.notify_all();
    worker_.join();
}

quint64 RunController::request(const Scene& scene, std::vector<Generator> adopted) {
    const quint64 gen = ++requested_;
    {
        std::lock_guard lock(mutex_);
        pending_ = scene;
        pending_adopted_ = std::move(adopted);
        pending_generation_ = gen;
    }
    cv_.notify_one();
    return gen;
}

bool RunController::busy() const {
    std::lock_guard lock(mutex_);
    return running_ || pending_.has_value();
}

namespace {

// A small pool of persistent threads (creating threads per run costs wake-ups and page faults;
// on a 2-core VM that is measurable). Jobs are independent models of one run.
class ModelPool {
  public:
    explicit ModelPool(int threads) {
        for (int i = 0; i < threads; ++i)
            threads_.emplace_back([this] { loop(); });
    }
    ~ModelPool() {
        {
            std::lock_guard lock(mutex_);
            quit_ = true;
        }
        cv_.notify_all();
        for (auto& t : threads_)
            t.join();
    }
    /// Runs every job, the first on the calling thread, and waits for all.
    void run(std::vector<std::function<void()>>& jobs) {
        if (jobs.empty()) return;
        {
            std::lock_guard lock(mutex_);
            for (size_t i = 1; i < jobs.size(); ++i)
                queue_.push_back(&jobs[i]);
            pending_ += static_cast<int>(jobs.size()) - 1;
        }
        cv_.notify_all();
        jobs[0]();
        // Help with the queue, then wait for the jobs other threads took.
        for (;;) {
            std::function<void()>* job = nullptr;
            {
                std::unique_lock lock(mutex_);
                if (!queue_.empty()) {
                    job = queue_.back();
                    queue_.pop_back();
                } else {
                    done_cv_.wait(lock, [this] { return pending_ == 0; });
                    return;
                }
            }
            (*job)();
            finish();
        }
    }

  private:
    void finish() {
        std::lock_guard lock(mutex_);
        if (--pending_ == 0) done_cv_.notify_all();
    }
    void loop() {
        for (;;) {
            std::function<void()>* job = nullptr;
            {
                std::unique_lock lock(mutex_);
                cv_.wait(lock, [this] { return quit_ || !queue_.empty(); });
                if (quit_) return;
                job = queue_.back();
                queue_.pop_back();
            }
            (*job)();
            finish();
        }
    }
    std::vector<std::thread> threads_;
    std::mutex mutex_;
    std::condition_variable cv_, done_cv_;
    std::vector<std::function<void()>*> queue_;
    int pending_ = 0;
    bool quit_ = false;
};

ModelPool& pool() {
    static ModelPool p(std::max(1u, std::min(3u, std::thread::hardware_concurrency())));
    return p;
}

}  // namespace

Result<std::shared_ptr<const Run>> RunController::simulateParallel(
    const Scene& scene, std::shared_ptr<const Loss> loss) {
    // One scene per selected model, in simulate()'s order.
    std::vector<Scene> parts;
    const std::pair<bool, Model> models[] = {{scene.show_discrete, Model::Discrete},
                                             {scene.show_ode, Model::Ode},
                                             {scene.show_ode_rest, Model::OdeRest},
                                             {scene.show_flow, Model::Flow}};
    for (const auto& [on, model] : models) {
        if (!on) continue;
        Scene s = scene;
        s.show_discrete = model == Model::Discrete;
        s.show_ode = model == Model::Ode;
        s.show_ode_rest = model == Model::OdeRest;
        s.show_flow = model == Model::Flow;
        parts.push_back(std::move(s));
    }
    if (parts.size() <= 1) return loss ? simulate(scene, loss) : simulate(scene);
    // Each model on its own thread; the results are bit-identical to a serial simulate().
    std::vector<std::optional<Result<std::shared_ptr<const Run>>>> results(parts.size());
    std::vector<std::function<void()>> jobs;
    for (size_t i = 0; i < parts.size(); ++i)
        jobs.emplace_back([&parts, &results, &loss, i] {
            results[i].emplace(loss ? simulate(parts[i], loss) : simulate(parts[i]));
        });
    pool().run(jobs);
    for (auto& r : results)
        if (!*r) return r->error();
    auto run = std::make_shared<Run>(*results[0]->value());
    run->scene = scene;
    for (size_t i = 1; i < results.size(); ++i)
        for (const auto& tr : results[i]->value()->trajectories)
            run->trajectories.push_back(tr);
    return std::shared_ptr<const Run>(std::move(run));
}

void RunController::workerLoop() {
    for (;;) {
        Scene scene;
        std::vector<Generator> adopted;
        quint64 gen = 0;
        {
            std::unique_lock lock(mutex_);
            cv_.wait(lock, [this] { return quit_ || pending_.has_value(); });
            if (quit_) return;
            scene = std::move(*pending_);
            adopted = std::move(pending_adopted_);
            gen = pending_generation_;
            pending_.reset();
            running_ = true;
        }
        const auto t0 = std::chrono::steady_clock::now();
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
        auto result = simulateParallel(scene, loss);
        profileMark("engine done (worker)");
        const double ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                .count();
        {
            std::lock_guard lock(mutex_);
            running_ = false;
            if (quit_) return;
        }
        // Deliver on the GUI thread; the lambda owns the result.
        if (result) {
            std::shared_ptr<const Run> run = result.value();
            QMetaObject::invokeMethod(
                this,
                [this, run, gen, ms] {
                    delivered_ = std::max(delivered_, gen);
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
