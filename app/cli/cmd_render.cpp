// noetherlab-cli render: a scene file's figures without a display (the landscape on the CPU
// path, no OpenGL), the same composer the GUI exports with. Exit status as for simulate:
// 0 written, 2 bad flag or file (one stderr line naming the flag), 3 a model diverged (the
// figures of the finite part are still written).
#include <QDir>
#include <QFileInfo>
#include <QGuiApplication>
#include <QString>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <system_error>

#include "cli/cli.hpp"
#include "gui/figure/caption.hpp"
#include "gui/figure/figure_composer.hpp"
#include "io/run_export.hpp"
#include "io/scene_file.hpp"

namespace noether::cli {

namespace {
const char* kRenderHelp =
    "usage: noetherlab-cli render --scene FILE --out DIR [options]\n"
    "  --scene FILE         a scene file (.noether), or a preset such as\n"
    "                       :/presets/07-rescale-balancing.noether\n"
    "  --out DIR            output folder (created if needed)\n"
    "  --format LIST        png,svg,pdf (default png)\n"
    "  --views LIST         landscape,charges,phase,loss,figure (default: all; figure = every\n"
    "                       panel of the scene composed into one)\n"
    "  --dpi N              PNG resolution, 10..2400 (default 192 = 2x a 96 dpi screen)\n"
    "  --size S             slide (16:9, 13.33 x 7.5 in, default) | column (3.3 in wide)\n"
    "  --palette P          default | projector | dark (default: the scene's palette)\n"
    "  --no-ghosts          leave out the ghost runs of view.compare\n"
    "Writes DIR/NAME-VIEW.EXT for each view and format, and DIR/NAME-caption.txt.\n"
    "Exit status: 0 written, 2 invalid input, 3 a model diverged (figures still written),\n"
    "4 could not write (\"could not write <file>: <reason>\"; no partial file).\n";

// Qt's note about a missing XDG_RUNTIME_DIR says nothing about rendering files offscreen; it
// would be a second stderr line beside the contract's one.
QtMessageHandler g_previous_handler = nullptr;
void quietHandler(QtMsgType type, const QMessageLogContext& context, const QString& message) {
    if (message.startsWith(QLatin1String("QStandardPaths: XDG_RUNTIME_DIR"))) return;
    if (g_previous_handler) g_previous_handler(type, context, message);
}

Result<QStringList> splitList(const std::string& option, const std::string& text) {
    QStringList out;
    for (const QString& part : QString::fromStdString(text).split(',')) {
        const QString p = part.trimmed().toLower();
        if (p.isEmpty()) return Error{"--" + option, "empty entry in '" + text + "'"};
        if (!out.contains(p)) out << p;
    }
    return out;
}
}  // namespace

int cmd_render(int argc, char** argv) {
    using namespace noether::figure;
    const OptionSpec spec{{"scene", "out", "format", "views", "dpi", "size", "palette"},
                          {"help", "no-ghosts"}};
    auto args = parse_args(argc, argv, 2, spec);
    if (!args) return fail(args.error());
    if (args->flags.count("help")) {
        std::fputs(kRenderHelp, stdout);
        return kExitOk;
    }
    const auto scene_path = args->get("scene");
    if (!scene_path) return fail(Error{"--scene", "is required (a .noether scene file)"});
    const auto out_dir = args->get("out");
    if (!out_dir) return fail(Error{"--out", "is required (the output folder)"});

    // Formats and views.
    std::vector<FileFormat> formats;
    auto fl = splitList("format", args->get("format").value_or("png"));
    if (!fl) return fail(fl.error());
    for (const QString& f : *fl) {
        auto ff = parseFormat(f);
        if (!ff)
            return fail(Error{"--format",
                              "unknown format '" + f.toStdString() + "' (known: png, svg, pdf)"});
        formats.push_back(*ff);
    }
    std::vector<FigureView> views;
    auto vl =
        splitList("views", args->get("views").value_or("landscape,charges,phase,loss,figure"));
    if (!vl) return fail(vl.error());
    for (const QString& v : *vl) {
        auto fv = parseView(v);
        if (!fv)
            return fail(Error{"--views", "unknown view '" + v.toStdString() +
                                             "' (known: landscape, charges, phase, loss, figure)"});
        views.push_back(*fv);
    }
    double dpi = 192.0;
    if (auto d = args->get("dpi")) {
        auto x = parse_number("dpi", *d);
        if (!x) return fail(x.error());
        if (!(*x >= 10.0 && *x <= 2400.0))
            return fail(Error{"--dpi", "must be between 10 and 2400 (got " + *d + ")"});
        dpi = *x;
    }
    SizePreset size = SizePreset::Slide;
    if (auto s = args->get("size")) {
        auto sp = parseSize(QString::fromStdString(*s));
        if (!sp) return fail(Error{"--size", "unknown size '" + *s + "' (known: slide, column)"});
        size = *sp;
    }
    std::optional<Palette> palette;
    if (auto s = args->get("palette")) {
        palette = parsePalette(QString::fromStdString(*s));
        if (!palette)
            return fail(Error{"--palette",
                              "unknown palette '" + *s + "' (known: default, projector, dark)"});
    }

    // The scene, with the loader's own refusals (the message names the field).
    // File names keep their bytes (a Linux name need not be UTF-8).
    auto doc = io::load_scene_file_native(*scene_path);
    if (!doc) return fail(Error{"--scene", doc.error().what()});

    // Fonts and painting need a QGuiApplication; without a display it runs offscreen.
    if (!qEnvironmentVariableIsSet("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    g_previous_handler = qInstallMessageHandler(quietHandler);
    int qt_argc = 1;
    char* qt_argv[] = {argv[0], nullptr};
    QGuiApplication app(qt_argc, qt_argv);

    auto data = prepareFigureData(*doc, nullptr, !args->flags.count("no-ghosts"));
    if (!data) {
        Error e = data.error();
        e.field = "--scene: " + e.field;
        return fail(e);
    }
    if (!palette) palette = parsePalette(data->view.palette).value_or(Palette::Paper);

    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(*out_dir), ec);
    if (ec || !std::filesystem::is_directory(std::filesystem::path(*out_dir)))
        return fail_write("could not write " + *out_dir + ": " +
                          (ec ? ec.message() : std::string("not a folder")));
    // NAME: the scene file's name without its folder and last extension, as bytes.
    std::string base = *scene_path;
    if (const auto slash = base.rfind('/'); slash != std::string::npos) base.erase(0, slash + 1);
    if (const auto dot = base.rfind('.'); dot != std::string::npos && dot > 0) base.erase(dot);
    if (base.empty()) base = "scene";
    std::string dir = *out_dir;
    if (dir.back() != '/') dir += '/';
    FigureComposer composer(std::move(*data));
    for (FigureView v : views) {
        for (FileFormat f : formats) {
            ExportSettings s;
            s.view = v;
            s.format = f;
            s.size = size;
            s.dpi = dpi;
            s.options.palette = *palette;
            const std::string file =
                dir + base + "-" + viewName(v).toStdString() + "." + formatName(f).toStdString();
            const QByteArray bytes = composer.render(s);
            if (bytes.isEmpty())
                return fail_write("could not write " + file + ": could not render the " +
                                  viewName(v).toStdString() + " view as " +
                                  formatName(f).toStdString());
            if (const int status = write_out(file, bytes); status != kExitOk) return status;
            std::printf("%s\n", file.c_str());
        }
    }
    const std::string caption_file = dir + base + "-caption.txt";
    const QString caption = figureCaption(composer.data(), *palette);
    if (const int status = write_out(caption_file, (caption + "\n").toUtf8()); status != kExitOk)
        return status;
    std::printf("%s\n", caption_file.c_str());

    // Divergence: the figures show the finite part; say where it ended.
    for (const Trajectory& tr : composer.data().run->trajectories) {
        if (tr.diverged) {
            std::fprintf(stderr, "noetherlab-cli: %s: %s\n", to_string(tr.model),
                         tr.message.c_str());
            return kExitDiverged;
        }
    }
    return kExitOk;
}

}  // namespace noether::cli
