// Renders the application icon (an SVG) to a PNG or ICO of one size, at build time, so that the packages carry the
// hicolor PNG sizes and the Windows icon without binary files in the repository or a tool outside Qt.
#include <QCoreApplication>
#include <QImage>
#include <QImageWriter>
#include <QPainter>
#include <QSvgRenderer>

#include <cstdio>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv); // image format plugins (ICO) are found through the application
    const QStringList args = QCoreApplication::arguments();
    bool sizeOk = false;
    const int size = args.value(2).toInt(&sizeOk);
    if (args.size() != 4 || !sizeOk || size <= 0 || size > 4096) {
        std::fprintf(stderr, "usage: eventscope-iconrender ICON.svg SIZE OUTPUT.png|OUTPUT.ico\n");
        return 2;
    }
    QSvgRenderer renderer(args.at(1));
    if (!renderer.isValid()) {
        std::fprintf(stderr, "eventscope-iconrender: cannot read %s\n", qPrintable(args.at(1)));
        return 1;
    }
    QImage image(size, size, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::transparent);
    QPainter painter(&image);
    renderer.render(&painter);
    painter.end();
    QImageWriter writer(args.at(3));
    if (!writer.write(image)) {
        std::fprintf(stderr, "eventscope-iconrender: cannot write %s: %s\n", qPrintable(args.at(3)),
                     qPrintable(writer.errorString()));
        return 1;
    }
    return 0;
}
