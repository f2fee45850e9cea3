// The loss editor: a loss typed as an expression in q1..qn (n ≤ 8) with named constants (eps
// always, plus the user's), validated as you type (debounced, off the GUI thread) by building the
// engine's typed loss (noether/expression.hpp: parse, differentiate, compile, check derivatives
// against finite differences) and evaluating it at the start point; the engine's message is shown
// and its position highlighted in the text. Apply makes it the scene's loss through SceneModel
// (one undo step); a refused expression leaves the scene as it was.
#pragma once

#include <QComboBox>
#include <QDialog>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QTimer>

#include "gui/model/scene_model.hpp"
#include "noether/loss.hpp"

namespace noether::gui {

/// The dialog.
class LossEditor : public QDialog {
    Q_OBJECT
  public:
    explicit LossEditor(SceneModel* model, QWidget* parent = nullptr);

    /// Loads the scene's loss: its expression if typed, else the typed form of the built-in
    /// loss when there is one among the examples, else the first example.
    void loadScene();
    /// Replaces the expression text (validation follows, debounced).
    void setExpression(const QString& text);
    /// Loads example k of expression_examples() (text, constants, start).
    void loadExample(int k);
    /// Validates the current input now, on this thread (tests; typing validates off-thread).
    void validateNow();
    /// Validates and, if the loss is accepted, makes it the scene's loss. False if refused.
    bool apply();
    /// True when the last validation accepted the current input.
    bool isValid() const { return valid_; }
    /// 1-based character position of the last error in the text, 0 if none.
    int errorPosition() const { return error_pos_; }

    QPlainTextEdit* expressionEdit() const { return edit_; }
    QLabel* statusLabel() const { return status_; }
    QPushButton* applyButton() const { return apply_; }
    QSpinBox* dimensionSpin() const { return dim_; }
    QTableWidget* constantsTable() const { return constants_; }
    QLineEdit* startEdit() const { return start_; }

  signals:
    /// A validation finished (ok or not) for the current input.
    void validated(bool ok);

  public:
    /// What the dialog sends to the engine.
    struct Input {
        LossSpec spec;             ///< name "expr", expr, expr_dim, constants (eps in spec.eps)
        QString problem;           ///< an input error found before the engine (a constant)
        bool start_given = false;  ///< the user typed the start point
        Vector start;              ///< the start typed by the user
        Vector example_start;      ///< the loaded example's start (if its text is unchanged)
        Vector scene_start;        ///< the scene's q0
    };
    /// The engine's verdict.
    struct Outcome {
        bool ok = false;
        QString message;   ///< the error (field: message), or a summary
        int position = 0;  ///< 1-based position in spec.expr, 0 if none
        int dim = 0;
        Vector start;  ///< the start point used
        double f0 = 0.0;
    };
    /// Builds the typed loss and checks it at the start (any thread: GiNaC is locked inside).
    static Outcome check(const Input& in);

  private:
    Input gather() const;
    void scheduleValidation();
    void startValidation();
    void showOutcome(const Outcome& out, const Input& in);
    void highlight(int position);
    void addConstantRow(const QString& name, double value);

    SceneModel* model_;
    QComboBox* examples_;
    QPlainTextEdit* edit_;
    QSpinBox* dim_;
    QTableWidget* constants_;
    QLineEdit* start_;
    QLabel* status_;
    QLabel* help_;
    QPushButton* apply_;
    QTimer debounce_;
    quint64 serial_ = 0;
    bool valid_ = false;
    int error_pos_ = 0;
    bool start_edited_ = false;
    bool filling_ = false;
    int example_ = -1;
    QString example_text_;
    Vector last_start_;
};

/// Opens (creating once) the loss editor of the window that holds `from`, loaded with the
/// scene's loss, and returns it.
LossEditor* openLossEditor(QWidget* from);

}  // namespace noether::gui
