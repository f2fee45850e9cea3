#include "gui/geometry/loss_editor.hpp"

#include <QApplication>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QPointer>
#include <QRegularExpression>
#include <QThreadPool>
#include <QVBoxLayout>
#include <cmath>

#include "gui/main_window.hpp"
#include "gui/views/style.hpp"
#include "noether/expression.hpp"

namespace noether::gui {

namespace {

// Debounce of live validation, ms.
constexpr int kDebounceMs = 150;

QString vectorText(const Vector& v) {
    QStringList parts;
    for (Eigen::Index i = 0; i < v.size(); ++i)
        parts << QString::number(v[i], 'g', 6);
    return parts.join(", ");
}

// Parses "a, b, c"; false if any entry is not a finite number.
bool parseVector(const QString& text, Vector& out) {
    const QStringList parts = text.split(QRegularExpression("[,;\\s]+"), Qt::SkipEmptyParts);
    out.resize(parts.size());
    for (int i = 0; i < parts.size(); ++i) {
        bool ok = false;
        out[i] = parts[i].toDouble(&ok);
        if (!ok || !std::isfinite(out[i])) return false;
    }
    return true;
}

// A start of dimension d: the example's, the scene's, or 0.5 everywhere.
Vector proposeStart(int d, const Vector& example, const Vector& scene) {
    if (example.size() == d) return example;
    if (scene.size() == d) return scene;
    return Vector::Constant(d, 0.5);
}

}  // namespace

LossEditor::LossEditor(SceneModel* model, QWidget* parent) : QDialog(parent), model_(model) {
    setObjectName("lossEditor");
    setWindowTitle(tr("Loss expression"));
    setModal(false);
    auto* lay = new QVBoxLayout(this);

    // Examples.
    examples_ = new QComboBox;
    examples_->addItem(tr("Examples…"));
    for (const ExpressionExample& e : expression_examples())
        examples_->addItem(QString::fromStdString(e.title));
    examples_->setToolTip(tr("Ready-made expressions, including the built-in losses written out"));
    auto* top = new QHBoxLayout;
    auto* head = new QLabel(tr("<b>f(q₁, …, qₙ) =</b>"));
    head->setFont(lectureFont(1.1));
    top->addWidget(head);
    top->addStretch(1);
    top->addWidget(examples_);
    lay->addLayout(top);

    // The expression.
    edit_ = new QPlainTextEdit;
    QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    mono.setPointSizeF(lectureFont(1.15).pointSizeF());
    edit_->setFont(mono);
    edit_->setTabChangesFocus(true);
    edit_->setPlaceholderText(tr("e.g. (q1^2 + q2^2 - 1)^2/4 + eps*q1"));
    edit_->setFixedHeight(edit_->fontMetrics().lineSpacing() * 4 + 16);
    edit_->setToolTip(
        tr("An expression in q1..q8 with numbers, + − * / ^, named constants, pi and "
           "the functions below"));
    lay->addWidget(edit_);

    // Functions, as help.
    QStringList fns;
    for (const ExpressionFunction& f : expression_functions())
        fns << QString("<span title='%1'>%2</span>")
                   .arg(QString::fromStdString(f.doc).toHtmlEscaped(),
                        QString::fromStdString(f.arity == 2 ? f.name + "(x, y)" : f.name));
    help_ = new QLabel(tr("Variables q1…q%1 · operators + − * / ^ · constants pi, eps and yours · "
                          "functions %2")
                           .arg(kMaxExpressionDim)
                           .arg(fns.join(", ")));
    help_->setWordWrap(true);
    help_->setTextFormat(Qt::RichText);
    help_->setFont(lectureFont(0.9));
    lay->addWidget(help_);

    // Dimension, start, constants.
    auto* form = new QFormLayout;
    dim_ = new QSpinBox;
    dim_->setRange(0, kMaxExpressionDim);
    dim_->setSpecialValueText(tr("auto (highest qᵢ used)"));
    dim_->setToolTip(tr("The dimension n of q; auto takes the highest index used"));
    form->addRow(tr("dimension n"), dim_);
    start_ = new QLineEdit;
    start_->setToolTip(
        tr("The start point q₀ of the runs (comma-separated). Filled in for you "
           "until you edit it."));
    form->addRow(tr("start q₀"), start_);
    constants_ = new QTableWidget(0, 2);
    constants_->setHorizontalHeaderLabels({tr("constant"), tr("value")});
    constants_->horizontalHeader()->setStretchLastSection(true);
    constants_->verticalHeader()->setVisible(false);
    constants_->setMinimumHeight(constants_->verticalHeader()->defaultSectionSize() * 3 + 30);
    constants_->setMaximumHeight(constants_->verticalHeader()->defaultSectionSize() * 5 + 30);
    constants_->setToolTip(
        tr("Named constants of the expression. eps is always there: the "
           "breaking strength ε (also on the Controls slider)."));
    auto* crow = new QHBoxLayout;
    crow->addWidget(constants_, 1, Qt::AlignTop);
    auto* cbtn = new QVBoxLayout;
    auto* add = new QPushButton(tr("Add"));
    auto* remove = new QPushButton(tr("Remove"));
    add->setToolTip(tr("Add a named constant"));
    remove->setToolTip(tr("Remove the selected constant (eps stays)"));
    cbtn->addWidget(add);
    cbtn->addWidget(remove);
    cbtn->addStretch(1);
    crow->addLayout(cbtn);
    form->addRow(tr("constants"), crow);
    lay->addLayout(form);

    // Verdict and buttons.
    status_ = new QLabel;
    status_->setTextFormat(Qt::RichText);
    status_->setWordWrap(true);
    status_->setFont(lectureFont(1.0));
    status_->setMinimumHeight(status_->fontMetrics().lineSpacing() * 4 + 12);
    status_->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    lay->addWidget(status_);
    lay->addStretch(1);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Apply | QDialogButtonBox::Close);
    apply_ = buttons->button(QDialogButtonBox::Apply);
    apply_->setToolTip(tr("Make this the scene's loss (one undo step)"));
    apply_->setEnabled(false);
    lay->addWidget(buttons);
    resize(720, 560);

    // Wiring.
    debounce_.setSingleShot(true);
    debounce_.setInterval(kDebounceMs);
    connect(&debounce_, &QTimer::timeout, this, &LossEditor::startValidation);
    connect(edit_, &QPlainTextEdit::textChanged, this, &LossEditor::scheduleValidation);
    connect(dim_, &QSpinBox::valueChanged, this, &LossEditor::scheduleValidation);
    connect(constants_, &QTableWidget::itemChanged, this, &LossEditor::scheduleValidation);
    connect(start_, &QLineEdit::textEdited, this, [this] {
        start_edited_ = !start_->text().trimmed().isEmpty();
        scheduleValidation();
    });
    connect(examples_, &QComboBox::activated, this, [this](int i) {
        if (i > 0) loadExample(i - 1);
        examples_->setCurrentIndex(0);
    });
    connect(add, &QPushButton::clicked, this, [this] {
        int k = 1;
        auto taken = [this](const QString& n) {
            for (int r = 0; r < constants_->rowCount(); ++r)
                if (constants_->item(r, 0) && constants_->item(r, 0)->text() == n) return true;
            return false;
        };
        while (taken(QString("a%1").arg(k)))
            ++k;
        addConstantRow(QString("a%1").arg(k), 1.0);
        scheduleValidation();
    });
    connect(remove, &QPushButton::clicked, this, [this] {
        const int r = constants_->currentRow();
        if (r > 0) constants_->removeRow(r);
        scheduleValidation();
    });
    connect(apply_, &QPushButton::clicked, this, [this] { apply(); });
    // The Controls' ε slider moves the eps of a typed loss: the eps row follows it.
    connect(model_, &SceneModel::sceneChanged, this, [this](const Scene& s, SceneField field) {
        if (field != SceneField::Eps || s.loss.name != "expr" || constants_->rowCount() == 0)
            return;
        if (QTableWidgetItem* v = constants_->item(0, 1)) {
            const QSignalBlocker block(constants_);
            v->setText(QString::number(s.loss.eps, 'g', 10));
            scheduleValidation();
        }
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::close);
    addConstantRow("eps", 0.0);
}

void LossEditor::addConstantRow(const QString& name, double value) {
    const bool fill = filling_;
    filling_ = true;
    const QSignalBlocker block(constants_);
    const int r = constants_->rowCount();
    constants_->insertRow(r);
    auto* n = new QTableWidgetItem(name);
    if (name == "eps") {
        n->setFlags(n->flags() & ~Qt::ItemIsEditable);
        n->setToolTip(tr("the breaking strength ε"));
    }
    constants_->setItem(r, 0, n);
    constants_->setItem(r, 1, new QTableWidgetItem(QString::number(value, 'g', 10)));
    filling_ = fill;
}

void LossEditor::loadExample(int k) {
    const auto& ex = expression_examples();
    if (k < 0 || k >= static_cast<int>(ex.size())) return;
    const ExpressionExample& e = ex[k];
    filling_ = true;
    {
        const QSignalBlocker b(constants_);
        constants_->setRowCount(0);
    }
    const auto eps = e.constants.find("eps");
    addConstantRow("eps", eps != e.constants.end() ? eps->second : 0.0);
    for (const auto& [name, value] : e.constants)
        if (name != "eps") addConstantRow(QString::fromStdString(name), value);
    dim_->setValue(0);
    example_ = k;
    example_text_ = QString::fromStdString(e.expr);
    start_edited_ = false;
    start_->setText(vectorText(Eigen::Map<const Vector>(e.q0.data(), Eigen::Index(e.q0.size()))));
    filling_ = false;
    edit_->setPlainText(example_text_);
    scheduleValidation();
}

void LossEditor::loadScene() {
    const Scene& s = model_->scene();
    if (s.loss.name == "expr") {
        filling_ = true;
        {
            const QSignalBlocker b(constants_);
            constants_->setRowCount(0);
        }
        const auto it = s.loss.constants.find("eps");
        addConstantRow("eps", it != s.loss.constants.end() ? it->second : s.loss.eps);
        for (const auto& [name, value] : s.loss.constants)
            if (name != "eps") addConstantRow(QString::fromStdString(name), value);
        dim_->setValue(s.loss.expr_dim);
        example_ = -1;
        start_edited_ = false;
        start_->setText(vectorText(s.q0));
        filling_ = false;
        edit_->setPlainText(QString::fromStdString(s.loss.expr));
        scheduleValidation();
        return;
    }
    // A built-in loss: its typed form if an example names it, e.g. "Mexican hat (rotation_hat)".
    const auto& ex = expression_examples();
    for (size_t k = 0; k < ex.size(); ++k)
        if (ex[k].title.find("(" + s.loss.name) != std::string::npos) {
            loadExample(static_cast<int>(k));
            return;
        }
    if (edit_->toPlainText().trimmed().isEmpty()) loadExample(0);
}

void LossEditor::setExpression(const QString& text) {
    edit_->setPlainText(text);
}

LossEditor::Input LossEditor::gather() const {
    Input in;
    in.spec.name = "expr";
    in.spec.expr = edit_->toPlainText().toStdString();
    in.spec.expr_dim = dim_->value();
    for (int r = 0; r < constants_->rowCount(); ++r) {
        const QString name = constants_->item(r, 0) ? constants_->item(r, 0)->text().trimmed() : "";
        const QString text = constants_->item(r, 1) ? constants_->item(r, 1)->text().trimmed() : "";
        bool ok = false;
        const double v = text.toDouble(&ok);
        if (name.isEmpty()) {
            if (in.problem.isEmpty()) in.problem = tr("constants: row %1 has no name").arg(r + 1);
            continue;
        }
        if (!ok || !std::isfinite(v)) {
            if (in.problem.isEmpty())
                in.problem = tr("constants: %1 = '%2' is not a number").arg(name, text);
            continue;
        }
        if (name == "eps")
            in.spec.eps = v;
        else if (in.spec.constants.count(name.toStdString()) && in.problem.isEmpty())
            in.problem = tr("constants: %1 is given twice").arg(name);
        else
            in.spec.constants[name.toStdString()] = v;
    }
    in.scene_start = model_->scene().q0;
    if (example_ >= 0 && edit_->toPlainText() == example_text_) {
        const auto& q0 = expression_examples()[example_].q0;
        in.example_start = Eigen::Map<const Vector>(q0.data(), Eigen::Index(q0.size()));
    }
    if (start_edited_) {
        in.start_given = true;
        if (!parseVector(start_->text(), in.start) && in.problem.isEmpty())
            in.problem = tr("start q₀: '%1' is not a list of numbers").arg(start_->text());
    }
    return in;
}

LossEditor::Outcome LossEditor::check(const Input& in) {
    Outcome out;
    if (!in.problem.isEmpty()) {
        out.message = in.problem;
        return out;
    }
    auto loss = make_loss(in.spec);
    if (!loss) {
        const Error& e = loss.error();
        out.message = QString::fromStdString(e.field == "expr" ? e.message : e.what());
        out.position = e.field == "expr" ? expression_error_position(e) : 0;
        return out;
    }
    out.dim = loss.value()->dim();
    out.start = in.start_given ? in.start : proposeStart(out.dim, in.example_start, in.scene_start);
    if (out.start.size() != out.dim) {
        out.message = tr("start q₀ needs %1 numbers for this expression (got %2)")
                          .arg(out.dim)
                          .arg(out.start.size());
        return out;
    }
    out.f0 = loss.value()->value(out.start);
    if (!std::isfinite(out.f0) || !loss.value()->gradient(out.start).allFinite()) {
        out.message = tr("the loss or its gradient is not finite at the start q₀ = (%1)")
                          .arg(vectorText(out.start));
        return out;
    }
    out.ok = true;
    return out;
}

void LossEditor::scheduleValidation() {
    if (filling_) return;
    valid_ = false;
    apply_->setEnabled(false);
    debounce_.start();
}

void LossEditor::startValidation() {
    const Input in = gather();
    const quint64 serial = ++serial_;
    QPointer<LossEditor> self(this);
    QThreadPool::globalInstance()->start([in, serial, self] {
        Outcome out = check(in);
        QMetaObject::invokeMethod(
            qApp,
            [self, serial, out = std::move(out), in] {
                if (self && serial == self->serial_) self->showOutcome(out, in);
            },
            Qt::QueuedConnection);
    });
}

void LossEditor::validateNow() {
    debounce_.stop();
    const Input in = gather();
    ++serial_;  // results of earlier validations are stale
    showOutcome(check(in), in);
}

void LossEditor::showOutcome(const Outcome& out, const Input& in) {
    valid_ = out.ok;
    error_pos_ = out.ok ? 0 : out.position;
    apply_->setEnabled(out.ok);
    highlight(error_pos_);
    if (out.ok) {
        if (!start_edited_) {
            const bool keep = start_->hasFocus();
            if (!keep) start_->setText(vectorText(out.start));
        }
        last_start_ = out.start;
        status_->setText(tr("<b style='color:#009E73'>✓ accepted</b> &nbsp; n = %1 &nbsp;·&nbsp; "
                            "f(q₀) = %2 &nbsp;·&nbsp; gradient and Hessian agree with finite "
                            "differences")
                             .arg(out.dim)
                             .arg(out.f0, 0, 'g', 6));
    } else {
        QString html =
            tr("<b style='color:#D55E00'>✗ refused</b> &nbsp; %1").arg(out.message.toHtmlEscaped());
        if (out.position > 0) {
            // The text around the position with a caret under it.
            const QString text = QString::fromStdString(in.spec.expr);
            const QString upto = QString::fromUtf8(QByteArray::fromStdString(in.spec.expr.substr(
                0, std::min<size_t>(in.spec.expr.size(), size_t(out.position - 1)))));
            const int p = static_cast<int>(upto.size());
            const int from = std::max(0, p - 40);
            QString line = text.mid(from, 80);
            line.replace('\n', ' ');
            const QString caret = QString(p - from, ' ') + "^";
            html += QString("<pre style='margin:2px'>%1\n<b style='color:#D55E00'>%2</b></pre>")
                        .arg(line.toHtmlEscaped(), caret);
        }
        status_->setText(html);
    }
    emit validated(out.ok);
}

void LossEditor::highlight(int position) {
    QList<QTextEdit::ExtraSelection> sel;
    if (position > 0) {
        const std::string bytes = edit_->toPlainText().toStdString();
        const QString upto = QString::fromUtf8(QByteArray::fromStdString(
            bytes.substr(0, std::min<size_t>(bytes.size(), size_t(position - 1)))));
        const int len = static_cast<int>(edit_->toPlainText().size());
        QTextEdit::ExtraSelection s;
        s.cursor = QTextCursor(edit_->document());
        int at = static_cast<int>(upto.size());
        if (at >= len && len > 0) at = len - 1;  // past the end: mark the last character
        s.cursor.setPosition(at);
        s.cursor.setPosition(std::min(at + 1, len), QTextCursor::KeepAnchor);
        s.format.setBackground(QColor(0xD5, 0x5E, 0x00, 110));
        s.format.setUnderlineStyle(QTextCharFormat::WaveUnderline);
        s.format.setUnderlineColor(okabe_ito::kVermillion);
        sel << s;
    }
    edit_->setExtraSelections(sel);
}

bool LossEditor::apply() {
    const Input in = gather();
    ++serial_;
    debounce_.stop();
    const Outcome out = check(in);
    showOutcome(out, in);
    if (!out.ok) return false;
    Scene s = model_->scene();
    s.loss = in.spec;
    s.q0 = out.start;
    if (s.v0 && s.v0->size() != s.q0.size()) s.v0.reset();
    if (s == model_->scene()) return true;
    model_->setScene(s, tr("Typed loss"));
    return true;
}

LossEditor* openLossEditor(QWidget* from) {
    auto* w = qobject_cast<MainWindow*>(from ? from->window() : nullptr);
    if (!w) return nullptr;
    auto* ed = w->findChild<LossEditor*>("lossEditor", Qt::FindDirectChildrenOnly);
    if (!ed) ed = new LossEditor(w->model(), w);
    // An open editor keeps what is being typed.
    if (!ed->isVisible()) ed->loadScene();
    ed->show();
    ed->raise();
    ed->activateWindow();
    return ed;
}

}  // namespace noether::gui
