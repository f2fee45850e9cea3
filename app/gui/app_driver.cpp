#include "gui/app_driver.hpp"

#include <QAbstractButton>
#include <QApplication>
#include <QBuffer>
#include <QChart>
#include <QComboBox>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFileInfo>
#include <QGraphicsScene>
#include <QGraphicsSimpleTextItem>
#include <QGraphicsTextItem>
#include <QImage>
#include <QImageWriter>
#include <QLabel>
#include <QLayout>
#include <QLegend>
#include <QLegendMarker>
#include <QScreen>
#include <QScrollArea>
#include <QScrollBar>
#include <QSlider>
#include <QStyle>
#include <QStyleOptionComboBox>
#include <QTextDocument>
#include <QTextDocumentFragment>
#include <QTimer>
#include <QToolButton>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "gui/main_window.hpp"
#include "gui/model/scene_model.hpp"
#include "gui/panels/controls_panel.hpp"
#include "gui/profile.hpp"
#include "gui/views/charge_chart.hpp"
#include "gui/views/chart_panel.hpp"
#include "gui/views/landscape_view.hpp"
#include "gui/views/landscape_window.hpp"
#include "gui/views/loss_chart.hpp"
#include "gui/views/phase_chart.hpp"
#include "io/file_io.hpp"
#include "noether/loss.hpp"

namespace noether::gui {

bool waitPresented(MainWindow& w, quint64 gen, int timeout_ms) {
    if (w.presented(gen) && w.shownGeneration() >= gen) return true;
    QEventLoop loop;
    QTimer guard;
    guard.setSingleShot(true);
    QObject::connect(&guard, &QTimer::timeout, &loop, &QEventLoop::quit);
    const auto c = QObject::connect(&w, &MainWindow::framePresented, &loop, [&](quint64 g) {
        if (g >= gen) loop.quit();
    });
    guard.start(timeout_ms);
    loop.exec();
    QObject::disconnect(c);
    return w.shownGeneration() >= gen && w.presented(gen);
}

qint64 waitEveryViewPainted(MainWindow& w, quint64 gen, int timeout_ms,
                            const QElapsedTimer& clock) {
    LandscapeWindow* gl = w.landscape()->glWindow();
    const std::initializer_list<const ChartPanel*> charts{w.charges(), w.phase(), w.lossChart(),
                                                          w.elrChart(), w.normChart()};
    auto done = [&] {
        if (w.shownGeneration() < gen) return false;
        if (w.landscape()->isVisible() && gl->shaderErrors().isEmpty() &&
            gl->presentedGeneration() < gen)
            return false;
        for (const ChartPanel* c : charts)
            if (c->isVisible() && c->dataGeneration() >= gen && c->paintedGeneration() < gen)
                return false;
        return true;
    };
    qint64 at = -1;
    QEventLoop loop;
    auto check = [&] {
        if (at < 0 && done()) {
            at = clock.nsecsElapsed();  // now, not when the loop gets round to returning
            loop.quit();
        }
    };
    std::vector<QMetaObject::Connection> connections;
    connections.push_back(QObject::connect(gl, &LandscapeWindow::presented, &loop, check));
    for (const ChartPanel* c : charts)
        connections.push_back(
            QObject::connect(c->view(), &TrackedChartView::painted, &loop, check));
    QTimer::singleShot(timeout_ms, &loop, &QEventLoop::quit);
    check();
    if (at < 0) loop.exec();
    for (const auto& c : connections)
        QObject::disconnect(c);
    return at;
}

namespace {

// A readable name for a widget in a report: its object name, class and text.
QString describe(const QWidget* wd, const QString& text) {
    QString what = QString::fromLatin1(wd->metaObject()->className());
    if (!wd->objectName().isEmpty()) what += " " + wd->objectName();
    QString t = text.simplified();
    if (t.size() > 40) t = t.left(40) + "...";
    return what + " '" + t + "'";
}

// Visible to the user: shown, inside the window and not covered by its own parents' clipping.
bool onScreen(const QWidget* wd) {
    return wd->isVisible() && !wd->visibleRegion().isEmpty();
}

QString plainText(const QLabel* l) {
    if (l->textFormat() == Qt::PlainText || !Qt::mightBeRichText(l->text())) return l->text();
    QTextDocument doc;
    doc.setHtml(l->text());
    return doc.toPlainText();
}

}  // namespace

QStringList layoutProblems(MainWindow& w, QSize min_plot) {
    QStringList out;
    if (const QScreen* screen = w.screen()) {
        const QSize avail = screen->geometry().size();
        if (w.frameGeometry().width() > avail.width() ||
            w.frameGeometry().height() > avail.height())
            out << QString("window %1x%2 is larger than its %3x%4 screen")
                       .arg(w.frameGeometry().width())
                       .arg(w.frameGeometry().height())
                       .arg(avail.width())
                       .arg(avail.height());
    }
    for (const QLabel* l : w.findChildren<QLabel*>()) {
        if (!onScreen(l) || l->text().isEmpty() || !l->pixmap().isNull()) continue;
        const QString text = plainText(l);
        if (text.contains(QChar(0x2026))) out << describe(l, text) + ": elided";
        const QRect cr = l->contentsRect();
        if (l->wordWrap()) {
            if (l->heightForWidth(l->width()) > l->height() + 1)
                out << describe(l, text) + QString(": needs %1 px of height, has %2")
                                               .arg(l->heightForWidth(l->width()))
                                               .arg(l->height());
        } else if (l->sizeHint().width() > l->width() + 1 ||
                   l->sizeHint().height() > l->height() + 1) {
            out << describe(l, text) + QString(": needs %1x%2, has %3x%4")
                                           .arg(l->sizeHint().width())
                                           .arg(l->sizeHint().height())
                                           .arg(cr.width())
                                           .arg(cr.height());
        }
    }
    for (const QAbstractButton* b : w.findChildren<QAbstractButton*>()) {
        if (!onScreen(b) || b->text().isEmpty() || qobject_cast<const QToolButton*>(b)) continue;
        if (b->sizeHint().width() > b->width() + 1)
            out << describe(b, b->text()) + QString(": needs %1 px of width, has %2")
                                                .arg(b->sizeHint().width())
                                                .arg(b->width());
    }
    for (const QComboBox* c : w.findChildren<QComboBox*>()) {
        if (!onScreen(c) || c->currentText().isEmpty()) continue;
        QStyleOptionComboBox opt;
        opt.initFrom(c);
        opt.editable = c->isEditable();
        opt.currentText = c->currentText();
        const QRect field =
            c->style()->subControlRect(QStyle::CC_ComboBox, &opt, QStyle::SC_ComboBoxEditField, c);
        const int need = c->fontMetrics().horizontalAdvance(c->currentText());
        if (need > field.width())
            out << describe(c, c->currentText()) +
                       QString(": text needs %1 px, the field has %2").arg(need).arg(field.width());
    }
    for (ChartPanel* panel : w.findChildren<ChartPanel*>()) {
        if (!onScreen(panel) || !onScreen(panel->view()->viewport())) continue;
        QChart* chart = panel->chart();
        const QRectF plot = chart->plotArea();
        const QString name = panel->titleLabel()->text().isEmpty()
                                 ? panel->objectName()
                                 : QTextDocumentFragment::fromHtml(panel->titleLabel()->text())
                                       .toPlainText()
                                       .left(40);
        if (plot.width() < min_plot.width() || plot.height() < min_plot.height())
            out << QString("chart '%1': plot area %2x%3 is under %4x%5")
                       .arg(name)
                       .arg(qRound(plot.width()))
                       .arg(qRound(plot.height()))
                       .arg(min_plot.width())
                       .arg(min_plot.height());
        // Axis labels and titles Qt Charts shortened to fit ("…" or "..." in the scene's text).
        for (const QGraphicsItem* item : chart->scene()->items()) {
            QString t;
            if (const auto* ti = dynamic_cast<const QGraphicsTextItem*>(item))
                t = ti->toPlainText();
            else if (const auto* si = dynamic_cast<const QGraphicsSimpleTextItem*>(item))
                t = si->text();
            if (item->isVisible() && (t.contains(QChar(0x2026)) || t.contains("...")))
                out << QString("chart '%1': a label is shortened to '%2'").arg(name, t);
        }
        // The legend (ChartKey) wraps its entries: it is cut only if it is not given its rows.
        const ChartKey* key = panel->key();
        if (onScreen(key) && key->height() < key->heightForWidth(key->width()))
            out << QString("chart '%1': legend needs %2 px of height, has %3")
                       .arg(name)
                       .arg(key->heightForWidth(key->width()))
                       .arg(key->height());
    }
    // A widget squeezed below what its layout needs: its children overlap or are cut (the
    // time line under the landscape at 1280x720).
    for (const QWidget* wd : w.findChildren<QWidget*>()) {
        if (!onScreen(wd) || !wd->layout() || qobject_cast<const QScrollArea*>(wd->parentWidget()))
            continue;
        const QSize need = wd->layout()->minimumSize();
        if (wd->height() + 1 < need.height() || wd->width() + 1 < need.width())
            out << QString("%1 %2: %3x%4, its layout needs at least %5x%6")
                       .arg(QString::fromLatin1(wd->metaObject()->className()), wd->objectName())
                       .arg(wd->width())
                       .arg(wd->height())
                       .arg(need.width())
                       .arg(need.height());
    }
    for (const QScrollArea* a : w.findChildren<QScrollArea*>()) {
        if (!onScreen(a) || !a->widget()) continue;
        if (a->verticalScrollBar()->maximum() > 0 || a->horizontalScrollBar()->maximum() > 0)
            out << QString("%1 %2: its content scrolls (%3x%4 in %5x%6)")
                       .arg(QString::fromLatin1(a->metaObject()->className()), a->objectName())
                       .arg(a->widget()->width())
                       .arg(a->widget()->height())
                       .arg(a->viewport()->width())
                       .arg(a->viewport()->height());
    }
    return out;
}

bool waitFirstFrame(MainWindow& w, int timeout_ms) {
    QElapsedTimer t;
    t.start();
    const quint64 gen = w.runs()->lastRequested();
    const bool ok = waitPresented(w, gen, timeout_ms);
    // Let the landscape resample its grid and repaint.
    while (t.elapsed() < 300) {
        QApplication::processEvents(QEventLoop::AllEvents, 20);
    }
    return ok;
}

InteractionStats benchInteraction(MainWindow& w, int n) {
    InteractionStats st;
    QSlider* slider = w.controls()->lrControl()->slider();
    const int centre = slider->value();
    // Slider positions (log scale, 5 decades over 1000): eta from about 0.55x to 1.8x its value.
    const int amplitude = 52;
    std::vector<double> times, engine;
    times.reserve(n);
    QObject::connect(
        w.runs(), &RunController::runReady, &w,
        [&engine](std::shared_ptr<const Run>, quint64, double ms) { engine.push_back(ms); });
    auto target = [&](int i) {
        // A triangle wave around the start, one slider position per change.
        const int period = 4 * amplitude;
        const int k = i % period;
        const int offset =
            k < amplitude ? k : (k < 3 * amplitude ? 2 * amplitude - k : k - 4 * amplitude);
        return centre + offset + (offset == 0 && i > 0 ? 1 : 0);
    };
    const int warmup = 5;
    for (int i = 0; i < n + warmup; ++i) {
        int pos = target(i + 1);
        if (pos == slider->value()) pos += 1;
        QElapsedTimer t;
        t.start();
        profileMark("---- slider change");
        slider->setValue(pos);  // the real path: valueChanged -> SceneModel -> engine -> views
        const quint64 gen = w.runs()->lastRequested();
        const bool ok = waitPresented(w, gen, 10000);
        const double ms = static_cast<double>(t.nsecsElapsed()) * 1e-6;
        if (i < warmup) continue;
        if (!ok) ++st.timeouts;
        times.push_back(ms);
    }
    if (times.empty()) return st;
    std::vector<double> sorted = times;
    std::sort(sorted.begin(), sorted.end());
    auto pct = [&sorted](double p) {
        const double idx = p * static_cast<double>(sorted.size() - 1);
        const size_t lo = static_cast<size_t>(std::floor(idx)),
                     hi = std::min(lo + 1, sorted.size() - 1);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (idx - static_cast<double>(lo));
    };
    st.changes = static_cast<int>(times.size());
    st.p50_ms = pct(0.5);
    st.p95_ms = pct(0.95);
    st.max_ms = sorted.back();
    double sum = 0;
    for (double x : times)
        sum += x;
    st.mean_ms = sum / static_cast<double>(times.size());
    double es = 0;
    for (double x : engine)
        es += x;
    st.engine_mean_ms = engine.empty() ? 0.0 : es / static_cast<double>(engine.size());
    return st;
}

QString saveScreenshot(MainWindow& w, const QString& path) {
    const QImage img = w.grabWindowImage();
    if (img.isNull()) return QObject::tr("could not grab the window");
    // The format of the name's suffix where Qt writes it (.png, .jpg, .bmp, ...), else PNG:
    // `--screenshot shot` writes a PNG called "shot". Written whole or not at all.
    QByteArray format = QFileInfo(path).suffix().toLower().toLatin1();
    if (!QImageWriter::supportedImageFormats().contains(format)) format = "png";
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    if (!img.save(&buffer, format.constData()))
        return QObject::tr("could not encode the screenshot as %1")
            .arg(QString::fromLatin1(format));
    return QString::fromStdString(io::write_file_bytes(io::native_name(path), bytes));
}

QStringList sceneOptionNames() {
    return {"scene-loss", "lr",    "momentum", "weight-decay", "eps",  "q0",
            "v0",         "steps", "rule",     "models",       "param"};
}

namespace {
bool parseList(const QString& text, Vector& out) {
    const QStringList parts = text.split(',', Qt::SkipEmptyParts);
    out.resize(parts.size());
    for (int i = 0; i < parts.size(); ++i) {
        bool ok = false;
        out[i] = parts[i].trimmed().toDouble(&ok);
        if (!ok || !std::isfinite(out[i])) return false;
    }
    return parts.size() > 0;
}
}  // namespace

QString applySceneOptions(const QStringList& args, Scene& scene) {
    // args: alternating "name", "value" (names without dashes), in command-line order;
    // the loss comes first so that the others override its suggested start.
    for (int i = 0; i + 1 < args.size(); i += 2)
        if (args[i] == "scene-loss") {
            if (!find_loss_info(args[i + 1].toStdString()))
                return QObject::tr("--scene-loss: unknown loss '%1'").arg(args[i + 1]);
            scene = SceneModel::sceneForLoss(scene, args[i + 1].toStdString());
        }
    for (int i = 0; i + 1 < args.size(); i += 2) {
        const QString& name = args[i];
        const QString& value = args[i + 1];
        bool ok = true;
        if (name == "lr") {
            scene.rule.lr = value.toDouble(&ok);
        } else if (name == "momentum") {
            scene.rule.momentum = value.toDouble(&ok);
        } else if (name == "weight-decay") {
            scene.rule.weight_decay = value.toDouble(&ok);
        } else if (name == "eps") {
            scene.loss.eps = value.toDouble(&ok);
        } else if (name == "steps") {
            scene.steps = value.toLong(&ok);
        } else if (name == "q0") {
            ok = parseList(value, scene.q0);
        } else if (name == "v0") {
            if (value == "none") {
                scene.v0.reset();
            } else {
                Vector v;
                ok = parseList(value, v);
                scene.v0 = v;
            }
        } else if (name == "rule") {
            auto r = parse_rule(value.toStdString());
            ok = r.has_value();
            if (r) scene.rule.rule = *r;
        } else if (name == "models") {
            for (Model each : kAllModels)
                set_shown(scene, each, false);
            for (const QString& m : value.split(',', Qt::SkipEmptyParts)) {
                auto mm = parse_model(m.trimmed().toStdString());
                if (!mm) {
                    ok = false;
                    break;
                }
                set_shown(scene, *mm, true);
            }
        } else if (name == "param") {
            const int eq = value.indexOf('=');
            Vector v;
            ok = eq > 0 && parseList(value.mid(eq + 1), v);
            if (ok)
                scene.loss.params[value.left(eq).toStdString()] =
                    std::vector<double>(v.data(), v.data() + v.size());
        }
        if (!ok) return QObject::tr("--%1: cannot use '%2'").arg(name, value);
    }
    // A rule without a momentum buffer cannot take a kick: the loss's suggested kick (that of
    // rotation_hat) is dropped, as a rule change in the window drops it; a kick asked for is
    // refused. Models the rule has none of go the same way unless --models asked for them.
    // Without this `--scene-loss rotation_hat --rule adam` started in an invalid scene with the
    // kick's check box disabled, which the user could not leave.
    const bool kick_given = args.contains("v0"), models_given = args.contains("models");
    if (scene.v0 && scene.rule.rule != Rule::Sgd && scene.rule.rule != Rule::RmsProp) {
        if (kick_given)
            return QObject::tr("--v0: a kick needs a momentum buffer (sgd or rmsprop), not %1")
                .arg(to_string(scene.rule.rule));
        scene.v0.reset();
    }
    if (!models_given) SceneModel::dropUnavailableModels(scene);
    auto loss = make_loss(scene.loss);
    if (!loss) return QString::fromStdString(loss.error().what());
    if (auto st = validate(scene, **loss); !st) {
        const Error& e = st.error();
        return QString::fromStdString(e.field.empty() ? e.message
                                                      : "--" + e.field + ": " + e.message);
    }
    return {};
}

}  // namespace noether::gui
