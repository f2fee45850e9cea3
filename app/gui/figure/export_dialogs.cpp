#include "gui/figure/export_dialogs.hpp"

#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace noether::gui {

namespace {

QComboBox* paletteCombo(figure::Palette palette) {
    auto* c = new QComboBox;
    c->addItem(QObject::tr("paper (white)"), "default");
    c->addItem(QObject::tr("projector (high contrast, thick lines)"), "projector");
    c->addItem(QObject::tr("dark"), "dark");
    c->setCurrentIndex(palette == figure::Palette::Projector ? 1
                       : palette == figure::Palette::Dark    ? 2
                                                             : 0);
    return c;
}

QComboBox* viewCombo(figure::FigureView view) {
    auto* c = new QComboBox;
    c->addItem(QObject::tr("Whole window (composed figure)"), "figure");
    c->addItem(QObject::tr("Landscape"), "landscape");
    c->addItem(QObject::tr("Noether charges"), "charges");
    c->addItem(QObject::tr("Phase portrait"), "phase");
    c->addItem(QObject::tr("Loss and effective learning rate"), "loss");
    c->setCurrentIndex(c->findData(figure::viewName(view)));
    return c;
}

QComboBox* sizeCombo() {
    auto* c = new QComboBox;
    c->addItem(QObject::tr("Slide (16:9, 13.33 × 7.5 in)"), "slide");
    c->addItem(QObject::tr("Paper column (3.3 in wide)"), "column");
    return c;
}

QWidget* pathRow(QLineEdit* edit, QWidget* parent, bool folder, const QString& filter) {
    auto* row = new QWidget;
    auto* l = new QHBoxLayout(row);
    l->setContentsMargins(0, 0, 0, 0);
    l->addWidget(edit, 1);
    auto* browse = new QPushButton(QObject::tr("Browse…"));
    l->addWidget(browse);
    QObject::connect(browse, &QPushButton::clicked, parent, [edit, parent, folder, filter] {
        const QString p =
            folder ? QFileDialog::getExistingDirectory(parent, QObject::tr("Folder"), edit->text())
                   : QFileDialog::getSaveFileName(parent, QObject::tr("Export to"), edit->text(),
                                                  filter);
        if (!p.isEmpty()) edit->setText(p);
    });
    return row;
}

}  // namespace

ExportFigureDialog::ExportFigureDialog(QWidget* parent, figure::FigureView view,
                                       figure::Palette palette, const QString& folder,
                                       const QString& stem)
    : QDialog(parent), folder_(folder), stem_(stem) {
    setWindowTitle(view == figure::FigureView::Figure ? tr("Export figure") : tr("Export view"));
    view_ = viewCombo(view);
    format_ = new QComboBox;
    format_->addItem(tr("PNG (image at the chosen DPI)"), "png");
    format_->addItem(tr("SVG (vector)"), "svg");
    format_->addItem(tr("PDF (vector, fonts embedded)"), "pdf");
    size_ = sizeCombo();
    dpi_ = new QDoubleSpinBox;
    dpi_->setRange(36, 1200);
    dpi_->setDecimals(0);
    dpi_->setValue(192);
    dpi_->setSuffix(tr(" dpi"));
    dpi_->setToolTip(
        tr("PNG resolution: 192 dpi is twice a 96 dpi screen (a slide becomes "
           "2560 × 1440 pixels)"));
    palette_ = paletteCombo(palette);
    marker_ = new QCheckBox(tr("mark the current time of the time line"));
    marker_->setChecked(true);
    path_ = new QLineEdit;
    auto* form = new QFormLayout;
    form->addRow(tr("View"), view_);
    form->addRow(tr("Format"), format_);
    form->addRow(tr("Size"), size_);
    form->addRow(tr("Resolution"), dpi_);
    form->addRow(tr("Palette"), palette_);
    form->addRow(QString(), marker_);
    form->addRow(tr("File"), pathRow(path_, this, false, tr("Figures (*.png *.svg *.pdf)")));
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Export"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* lay = new QVBoxLayout(this);
    lay->addLayout(form);
    lay->addWidget(buttons);
    connect(view_, &QComboBox::currentIndexChanged, this, [this] { updatePath(); });
    connect(format_, &QComboBox::currentIndexChanged, this, [this] {
        updatePath();
        updateEnabled();
    });
    updatePath();
    updateEnabled();
    resize(620, sizeHint().height());
}

void ExportFigureDialog::updatePath() {
    const QString name =
        QString("%1-%2.%3")
            .arg(stem_, view_->currentData().toString(), format_->currentData().toString());
    const QString dir = path_->text().isEmpty() ? folder_ : QFileInfo(path_->text()).path();
    path_->setText(QDir(dir).filePath(name));
}

void ExportFigureDialog::updateEnabled() {
    dpi_->setEnabled(format_->currentData().toString() == "png");
}

figure::ExportSettings ExportFigureDialog::settings(long time_index) const {
    figure::ExportSettings s;
    s.view =
        figure::parseView(view_->currentData().toString()).value_or(figure::FigureView::Figure);
    s.format =
        figure::parseFormat(format_->currentData().toString()).value_or(figure::FileFormat::Png);
    s.size = figure::parseSize(size_->currentData().toString()).value_or(figure::SizePreset::Slide);
    s.dpi = dpi_->value();
    s.options.palette =
        figure::parsePalette(palette_->currentData().toString()).value_or(figure::Palette::Paper);
    s.options.time_index = marker_->isChecked() ? time_index : -1;
    return s;
}

ExportAnimationDialog::ExportAnimationDialog(QWidget* parent, figure::Palette palette,
                                             const QString& folder, const QString& stem)
    : QDialog(parent), folder_(folder), stem_(stem) {
    setWindowTitle(tr("Export animation"));
    view_ = viewCombo(figure::FigureView::Figure);
    kind_ = new QComboBox;
    kind_->addItem(tr("PNG sequence (a folder of frames)"));
    kind_->addItem(tr("MP4 video (needs ffmpeg)"));
    kind_->addItem(tr("GIF (needs ffmpeg)"));
    if (figure::findFfmpeg().isEmpty()) {
        kind_->setItemText(1, tr("MP4 video (needs ffmpeg: not installed)"));
        kind_->setItemText(2, tr("GIF (needs ffmpeg: not installed)"));
    }
    size_ = sizeCombo();
    frames_ = new QSpinBox;
    frames_->setRange(2, 2000);
    frames_->setValue(120);
    frames_->setToolTip(tr("Frames at evenly spaced times from the start to the end of the run"));
    fps_ = new QSpinBox;
    fps_->setRange(1, 120);
    fps_->setValue(30);
    fps_->setSuffix(tr(" frames/s"));
    palette_ = paletteCombo(palette);
    path_ = new QLineEdit;
    auto* form = new QFormLayout;
    form->addRow(tr("View"), view_);
    form->addRow(tr("Output"), kind_);
    form->addRow(tr("Size"), size_);
    form->addRow(tr("Frames"), frames_);
    form->addRow(tr("Speed"), fps_);
    form->addRow(tr("Palette"), palette_);
    form->addRow(tr("Target"), pathRow(path_, this, false, tr("Video (*.mp4 *.gif)")));
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Render"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* lay = new QVBoxLayout(this);
    lay->addLayout(form);
    lay->addWidget(buttons);
    connect(kind_, &QComboBox::currentIndexChanged, this, [this] { updatePath(); });
    connect(view_, &QComboBox::currentIndexChanged, this, [this] { updatePath(); });
    updatePath();
    resize(620, sizeHint().height());
}

void ExportAnimationDialog::updatePath() {
    const QString base = QString("%1-%2").arg(stem_, view_->currentData().toString());
    const QString dir = folder_;
    switch (kind_->currentIndex()) {
        case 0:
            path_->setText(QDir(dir).filePath(base + "-frames"));
            break;
        case 1:
            path_->setText(QDir(dir).filePath(base + ".mp4"));
            break;
        default:
            path_->setText(QDir(dir).filePath(base + ".gif"));
            break;
    }
}

figure::AnimationSettings ExportAnimationDialog::settings() const {
    figure::AnimationSettings s;
    s.view =
        figure::parseView(view_->currentData().toString()).value_or(figure::FigureView::Figure);
    s.size = figure::parseSize(size_->currentData().toString()).value_or(figure::SizePreset::Slide);
    s.palette =
        figure::parsePalette(palette_->currentData().toString()).value_or(figure::Palette::Paper);
    s.frames = frames_->value();
    s.fps = fps_->value();
    // A slide frame is 1280 × 720; a column frame twice its point size.
    s.dpi = s.size == figure::SizePreset::Slide ? 96.0 : 192.0;
    return s;
}

CaptionDialog::CaptionDialog(QWidget* parent, const QString& caption, const QStringList& files)
    : QDialog(parent) {
    setWindowTitle(tr("Exported data"));
    auto* lay = new QVBoxLayout(this);
    auto* head =
        new QLabel(tr("<b>Caption</b> (generated from the scene, also in the "
                      "-caption.txt file):"));
    lay->addWidget(head);
    auto* text = new QPlainTextEdit(caption);
    text->setReadOnly(true);
    text->setObjectName("caption");
    lay->addWidget(text, 1);
    auto* list = new QLabel(tr("<b>Files</b>:<br>%1").arg(files.join("<br>")));
    list->setTextInteractionFlags(Qt::TextSelectableByMouse);
    list->setWordWrap(true);
    lay->addWidget(list);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    auto* copy = buttons->addButton(tr("Copy caption"), QDialogButtonBox::ActionRole);
    connect(copy, &QPushButton::clicked, this,
            [caption] { QApplication::clipboard()->setText(caption); });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    lay->addWidget(buttons);
    resize(640, 420);
}

}  // namespace noether::gui
