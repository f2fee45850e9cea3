// The figure library: renders are valid files with their content where it belongs, the
// caption follows the scene, the colours are the screen's, the CPU landscape follows the
// shader's rule, data exports and animation frames are written whole.
#include <gtest/gtest.h>

#include <QBuffer>
#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <cmath>

#include "gui/figure/animation.hpp"
#include "gui/figure/caption.hpp"
#include "gui/figure/data_export.hpp"
#include "gui/figure/figure_composer.hpp"
#include "gui/views/colormaps.hpp"
#include "gui/views/style.hpp"
#include "pub_support.hpp"

using namespace noether;
using namespace noether::figure;

namespace {

FigureComposer composerFor(const QString& preset, bool ghosts = true) {
    auto data = prepareFigureData(presetDoc(preset), nullptr, ghosts);
    EXPECT_TRUE(data.ok()) << (data.ok() ? "" : data.error().what());
    return FigureComposer(data.ok() ? std::move(data.value()) : FigureData{});
}

ExportSettings settings(FigureView v, FileFormat f, double dpi = 72) {
    ExportSettings s;
    s.view = v;
    s.format = f;
    s.dpi = dpi;
    return s;
}

// Fraction of pixels in a rectangle that differ from white.
double inkFraction(const QImage& img, const QRect& r) {
    long ink = 0, all = 0;
    for (int y = r.top(); y <= r.bottom(); ++y)
        for (int x = r.left(); x <= r.right(); ++x, ++all)
            ink += (img.pixel(x, y) & 0xFFFFFF) != 0xFFFFFF;
    return all ? static_cast<double>(ink) / static_cast<double>(all) : 0.0;
}

}  // namespace

TEST(FigureFiles, PngLoadsAndTheLandscapeAreaIsPainted) {
    FigureComposer c = composerFor("07-rescale-balancing.noether");
    const QByteArray png = c.render(settings(FigureView::Landscape, FileFormat::Png));
    ASSERT_FALSE(png.isEmpty());
    const QImage img = QImage::fromData(png, "PNG");
    ASSERT_FALSE(img.isNull());
    EXPECT_EQ(img.width(), 960);  // a slide is 960 pt wide; 72 dpi: one pixel per point
    EXPECT_EQ(img.height(), 540);
    // The heatmap fills the middle of the landscape: almost no white there.
    const QRect middle(img.width() / 4, img.height() / 3, img.width() / 2, img.height() / 3);
    EXPECT_GT(inkFraction(img, middle), 0.95);
}

TEST(FigureFiles, PngResolutionFollowsTheDpi) {
    FigureComposer c = composerFor("02a-noether-charge-underdamped.noether", false);
    const QImage a = QImage::fromData(c.render(settings(FigureView::Charges, FileFormat::Png, 96)));
    const QImage b =
        QImage::fromData(c.render(settings(FigureView::Charges, FileFormat::Png, 192)));
    ASSERT_FALSE(a.isNull());
    ASSERT_FALSE(b.isNull());
    EXPECT_EQ(b.width(), 2 * a.width());
    EXPECT_EQ(b.height(), 2 * a.height());
    EXPECT_NEAR(b.dotsPerMeterX() * 0.0254, 192.0, 0.5);
}

TEST(FigureFiles, SvgParsesAndHoldsVectorPaths) {
    FigureComposer c = composerFor("02a-noether-charge-underdamped.noether");
    for (FigureView v : kAllViews) {
        const QByteArray svg = c.render(settings(v, FileFormat::Svg));
        ASSERT_FALSE(svg.isEmpty()) << viewName(v).toStdString();
        QXmlStreamReader xml(svg);
        int paths = 0;
        while (!xml.atEnd())
            if (xml.readNext() == QXmlStreamReader::StartElement && xml.name() == u"path") ++paths;
        EXPECT_FALSE(xml.hasError())
            << viewName(v).toStdString() << ": " << xml.errorString().toStdString();
        EXPECT_GT(paths, 0) << viewName(v).toStdString();
        QSvgRenderer r(svg);
        EXPECT_TRUE(r.isValid()) << viewName(v).toStdString();
    }
}

TEST(FigureFiles, SvgLinesStayInsideTheFigure) {
    // SVG output ignores QPainter's clip: lines leaving a plot must be clipped by the figure
    // code, so that no coordinate of a path lies outside the page.
    FigureComposer c = composerFor("02a-noether-charge-underdamped.noether");
    const QByteArray svg = c.render(settings(FigureView::Loss, FileFormat::Svg));
    QXmlStreamReader xml(svg);
    int checked = 0;
    while (!xml.atEnd()) {
        if (xml.readNext() != QXmlStreamReader::StartElement || xml.name() != u"path") continue;
        const QString d = xml.attributes().value("d").toString();
        const QStringList nums = d.split(QRegularExpression("[^0-9eE.+-]+"), Qt::SkipEmptyParts);
        for (int k = 0; k + 1 < nums.size(); k += 2) {
            const double x = nums[k].toDouble(), y = nums[k + 1].toDouble();
            EXPECT_GE(x, -1.0);
            EXPECT_LE(x, 961.0);
            EXPECT_GE(y, -1.0);
            EXPECT_LE(y, 541.0);
            ++checked;
        }
    }
    EXPECT_GT(checked, 100);
}

TEST(FigureFiles, PdfStartsWithHeaderAndEmbedsFonts) {
    FigureComposer c = composerFor("04-implicit-adaptive-lr.noether");
    const QByteArray pdf = c.render(settings(FigureView::Figure, FileFormat::Pdf));
    ASSERT_GT(pdf.size(), 1000);
    EXPECT_TRUE(pdf.startsWith("%PDF"));
    EXPECT_TRUE(pdf.contains("/FontFile2") || pdf.contains("/FontFile3"));
    EXPECT_TRUE(pdf.trimmed().endsWith("%%EOF"));
}

TEST(FigureFiles, WriteIsAtomicAndLeavesNoTemporaryFile) {
    QTemporaryDir dir;
    FigureComposer c = composerFor("06-weight-decay-oscillator.noether");
    const QString path = dir.filePath("f.svg");
    EXPECT_EQ(c.write(settings(FigureView::Phase, FileFormat::Svg), path), QString());
    EXPECT_TRUE(QFileInfo::exists(path));
    EXPECT_EQ(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(), 1);
    // A folder that does not exist: an error, no file.
    EXPECT_NE(c.write(settings(FigureView::Phase, FileFormat::Svg), dir.filePath("no/such/f.svg")),
              QString());
}

TEST(FigureFiles, ColumnPresetIsThreePointThreeInchesWide) {
    FigureComposer c = composerFor("08-implicit-acceleration.noether");
    ExportSettings s = settings(FigureView::Figure, FileFormat::Png, 300);
    s.size = SizePreset::Column;
    const QImage img = QImage::fromData(c.render(s));
    ASSERT_FALSE(img.isNull());
    EXPECT_EQ(img.width(), 990);  // 3.3 in × 300 dpi
    EXPECT_GT(img.height(), img.width());
}

TEST(FigureFiles, DivergedRunStillRendersItsFinitePart) {
    io::SceneDocument doc;
    doc.scene.loss.name = "quadratic";
    doc.scene.loss.params["diag"] = {1.0, 2.0};
    doc.scene.q0 = Vector::Constant(2, 1.0);
    doc.scene.rule.lr = 2.5;  // > 2/λ_max: gradient descent diverges
    doc.scene.steps = 400;
    auto data = prepareFigureData(doc);
    ASSERT_TRUE(data.ok());
    ASSERT_TRUE(data->run->diverged());
    FigureComposer c(std::move(data.value()));
    for (FigureView v : kAllViews) {
        const QImage img = QImage::fromData(c.render(settings(v, FileFormat::Png)));
        EXPECT_FALSE(img.isNull()) << viewName(v).toStdString();
    }
    EXPECT_TRUE(figureCaption(c.data(), Palette::Paper).contains("diverged"));
}

TEST(Caption, NamesTheLossAndHyperparametersOfTheScene) {
    io::SceneDocument doc = presetDoc("02a-noether-charge-underdamped.noether");
    auto data = prepareFigureData(doc);
    ASSERT_TRUE(data.ok());
    const QString c = figureCaption(*data, Palette::Paper);
    for (const char* s : {"rotation_hat", "ε = 0", "SGD", "η = 0.05", "β = 0.9", "k = 0",
                          "200 steps", "q₀ = (0.6, 0.5)", "v₀ = (3, −5)", "discrete (vermilion)",
                          "implicit-acceleration ODE (blue)", "over-damped β = 0.3"})
        EXPECT_TRUE(c.contains(QString::fromUtf8(s))) << s << " not in: " << c.toStdString();
    // The caption follows the scene, not a template.
    doc.scene.rule.lr = 0.02;
    doc.scene.rule.weight_decay = 0.001;
    doc.scene.steps = 10000;
    doc.scene.show_flow = true;
    doc.view = QJsonObject();
    auto data2 = prepareFigureData(doc);
    ASSERT_TRUE(data2.ok());
    const QString c2 = figureCaption(*data2, Palette::Paper);
    for (const char* s : {"η = 0.02", "k = 0.001", "10⁴ steps", "gradient flow (green, dashed)"})
        EXPECT_TRUE(c2.contains(QString::fromUtf8(s))) << s << " not in: " << c2.toStdString();
    EXPECT_FALSE(c2.contains(QString::fromUtf8("η = 0.05")));
}

TEST(FigureStyle, EveryTwoModelsDifferByMoreThanHueAndDiscreteIsWidest) {
    // Colour-blind viewers must tell the models apart: any two differ in dash or in lightness
    // (not hue alone), and the discrete line is the widest so that agreeing models stay visible.
    const Model all[] = {Model::Discrete, Model::Ode, Model::OdeRest, Model::Flow};
    for (bool dark : {false, true})
        for (Model a : all)
            for (Model b : all) {
                if (a == b) continue;
                const bool dash = figure::modelDashed(a) != figure::modelDashed(b);
                const int dl = std::abs(figure::modelColor(a, dark).lightness() -
                                        figure::modelColor(b, dark).lightness());
                EXPECT_TRUE(dash || dl >= 20 || figure::modelWidth(a) != figure::modelWidth(b))
                    << figure::modelName(a).toStdString() << " vs "
                    << figure::modelName(b).toStdString();
            }
    for (Model m : {Model::Ode, Model::OdeRest, Model::Flow}) {
        EXPECT_GT(figure::modelWidth(Model::Discrete), figure::modelWidth(m));
        EXPECT_GE(figure::modelChartWidth(Model::Discrete), figure::modelChartWidth(m));
    }
    EXPECT_EQ(figure::modelColor(Model::Discrete, false), figure::okabe_ito::kVermillion);
}

TEST(LandscapeFigure, ColourMapFollowsTheShaderRule) {
    // Ends of the colour map, as the GL lookup table.
    EXPECT_EQ(LandscapeFigure::colormap(0.0, 0),
              QColor(gui::kViridis[0], gui::kViridis[1], gui::kViridis[2]));
    EXPECT_EQ(LandscapeFigure::colormap(1.0, 1),
              QColor(gui::kCividis[765], gui::kCividis[766], gui::kCividis[767]));
    // The scaled value: 0 at f_min, 1 at f_max, increasing, log above the 1e-3 floor.
    for (bool log : {false, true}) {
        EXPECT_NEAR(LandscapeFigure::scaled(2.0, 2.0, 5.0, log), 0.0, 1e-12);
        EXPECT_NEAR(LandscapeFigure::scaled(5.0, 2.0, 5.0, log), 1.0, 1e-12);
        double last = -1;
        for (double f = 2.0; f <= 5.0; f += 0.01) {
            const double t = LandscapeFigure::scaled(f, 2.0, 5.0, log);
            EXPECT_GT(t, last);
            last = t;
        }
    }
    // Log: half the scale is reached far below the middle of the range.
    EXPECT_LT(LandscapeFigure::scaled(2.0 + 0.1 * 3.0, 2.0, 5.0, true), 1.0);
    EXPECT_GT(LandscapeFigure::scaled(2.0 + 0.1 * 3.0, 2.0, 5.0, true), 0.5);
}

TEST(Plot, DecimationKeepsTheEnvelopeOfAnOscillation) {
    std::vector<double> y(100000);
    for (size_t i = 0; i < y.size(); ++i)
        y[i] = std::sin(0.37 * static_cast<double>(i)) * (1.0 + 1e-5 * static_cast<double>(i));
    const auto pts = decimatedSeries(y.data(), static_cast<long>(y.size()), 0, 100000, 500);
    EXPECT_LT(pts.size(), 2100u);
    double lo = 1e9, hi = -1e9;
    for (const QPointF& p : pts) {
        lo = std::min(lo, p.y());
        hi = std::max(hi, p.y());
    }
    EXPECT_EQ(hi, *std::max_element(y.begin(), y.end()));
    EXPECT_EQ(lo, *std::min_element(y.begin(), y.end()));
}

TEST(Plot, ClippedPathsStayInsideTheirBox) {
    const QRectF box(10, 20, 100, 50);
    std::vector<QPointF> pts;
    for (int k = 0; k < 400; ++k)
        pts.emplace_back(60 + 200 * std::cos(k * 0.7), 45 + 120 * std::sin(k * 1.3));
    pts.emplace_back(NAN, NAN);
    pts.emplace_back(50, 30);
    pts.emplace_back(70, 40);
    const QPainterPath path = clippedPath(pts, box);
    ASSERT_GT(path.elementCount(), 10);
    for (int i = 0; i < path.elementCount(); ++i) {
        const QPainterPath::Element e = path.elementAt(i);
        EXPECT_GE(e.x, box.left() - 1e-9);
        EXPECT_LE(e.x, box.right() + 1e-9);
        EXPECT_GE(e.y, box.top() - 1e-9);
        EXPECT_LE(e.y, box.bottom() + 1e-9);
    }
}

TEST(DataExport, WritesACsvPerModelTheSceneAndTheCaption) {
    QTemporaryDir dir;
    const io::SceneDocument doc = presetDoc("08-implicit-acceleration.noether");
    auto data = prepareFigureData(doc);
    ASSERT_TRUE(data.ok());
    const DataExport out = exportData(*data, dir.path(), "fig8", Palette::Paper);
    ASSERT_EQ(out.error, QString());
    for (const char* m : {"discrete", "ode", "ode-rest", "flow"}) {
        QFile f(dir.filePath(QString("fig8-%1.csv").arg(m)));
        ASSERT_TRUE(f.open(QIODevice::ReadOnly)) << m;
        EXPECT_TRUE(f.readLine().startsWith("step,t,q1,q2,loss,grad_norm,r2")) << m;
        int lines = 1;
        while (!f.readLine().isEmpty())
            ++lines;
        EXPECT_EQ(lines, doc.scene.steps + 2) << m;  // header + samples 0..N
    }
    // The scene beside the data loads to the same scene.
    auto back = io::load_scene_file(dir.filePath("fig8.noether"));
    ASSERT_TRUE(back.ok());
    EXPECT_TRUE(back->scene == doc.scene);
    QFile cap(dir.filePath("fig8-caption.txt"));
    ASSERT_TRUE(cap.open(QIODevice::ReadOnly));
    EXPECT_EQ(QString::fromUtf8(cap.readAll()).trimmed(), out.caption);
    EXPECT_TRUE(out.caption.contains("scale_cos"));
}

TEST(Animation, FramesShowTheRunUpToTheirTime) {
    EXPECT_EQ(animationTimes(201, 5), (std::vector<long>{0, 50, 100, 150, 200}));
    QTemporaryDir dir;
    FigureComposer c = composerFor("07-rescale-balancing.noether", false);
    AnimationSettings s;
    s.view = FigureView::Landscape;
    s.frames = 3;
    s.dpi = 36;
    std::vector<int> seen;
    const QString err = writeFrames(c, s, dir.path(), [&seen](int done, int) {
        seen.push_back(done);
        return true;
    });
    ASSERT_EQ(err, QString());
    EXPECT_EQ(seen, (std::vector<int>{0, 1, 2, 3}));
    const QImage first(dir.filePath("frame_00000.png")), last(dir.filePath("frame_00002.png"));
    ASSERT_FALSE(first.isNull());
    ASSERT_FALSE(last.isNull());
    EXPECT_NE(first, last);  // the trajectory grows
    // Cancel after the first frame.
    QTemporaryDir dir2;
    const QString cancelled =
        writeFrames(c, s, dir2.path(), [](int done, int) { return done < 1; });
    EXPECT_EQ(cancelled, QString("cancelled"));
}

TEST(Animation, EncodesThroughFfmpegFoundOnPath) {
    QTemporaryDir bin, frames, out;
    // A stand-in ffmpeg that writes its last argument (the output file).
    const QString fake = bin.filePath("ffmpeg");
    ASSERT_TRUE(writeBytes(fake, "#!/bin/sh\nfor a; do last=$a; done\necho video > \"$last\"\n"));
    QFile::setPermissions(fake, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    const QByteArray path = qgetenv("PATH");
    qputenv("PATH", bin.path().toUtf8() + ":" + path);
    const QString found = findFfmpeg();
    EXPECT_EQ(QFileInfo(found).canonicalFilePath(), QFileInfo(fake).canonicalFilePath());
    const QString target = out.filePath("a.mp4");
    EXPECT_EQ(encodeVideo(found, frames.path(), 30, target, [] { return false; }), QString());
    EXPECT_TRUE(QFileInfo::exists(target));
    // Without it on PATH: found empty, and the message says what to do.
    qputenv("PATH", out.path().toUtf8());
    EXPECT_TRUE(findFfmpeg().isEmpty());
    EXPECT_TRUE(ffmpegMissingMessage().contains("ffmpeg"));
    qputenv("PATH", path);
}
