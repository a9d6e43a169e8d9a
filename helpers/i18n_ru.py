"""Russian texts for `helpers.i18n.tr`, keyed by the English text (placeholders such as {n} kept as they are).

Terms as in the lecture: свёртка, ядро, шаг (stride), паддинг, дилатация, карта активации, пулинг, рецептивное
поле, смещение (bias), канал, функция потерь, скорость обучения, батч. In the check hints a placeholder filled
with a phrase ({what}, {case}, {kind}) stands where the Russian sentence keeps that phrase in the nominative case.
"""

RU: dict[str, str] = {
    # --- helpers.report (notebook 00) -------------------------------------------------------------------------
    "MISSING": "НЕ УСТАНОВЛЕН",
    "torch threads": "потоков torch",
    "found: {train} train + {test} test images": "найдено: {train} обучающих + {test} тестовых изображений",
    "PROBLEM: {error}": "ПРОБЛЕМА: {error}",
    "platform": "платформа",
    # --- helpers.widgets: explorer controls (short: they sit next to the sliders) ---------------------------
    "index": "номер",
    "image": "изображение",
    "kernel": "ядро",
    "size": "размер",
    "stride": "шаг",
    "padding": "паддинг",
    "dilation": "дилатация",
    "position": "позиция",
    "play": "пуск",
    "speed (steps/s)": "скорость (окон/с)",
    "activation map": "карта активации",
    "kind": "вид",
    "max": "максимум",
    "average": "среднее",
    "3×3 kernel (edit any cell)": "ядро 3×3 (любую клетку можно менять)",
    "the {k}×{k} kernel is drawn in the middle panel (the grid edits 3×3 kernels)": "ядро {k}×{k} показано на средней панели (в сетке меняются только ядра 3×3)",
    # --- helpers.widgets: figure titles ---------------------------------------------------------------------
    "digit #{index}: label {label}": "цифра №{index}: метка {label}",
    "input {h}×{w} (padded)": "вход {h}×{w} (с паддингом)",
    "window × kernel": "окно × ядро",
    "window × kernel (products)": "окно × ядро (произведения)",
    "summed = {v}": "сумма = {v}",
    "activation map {h}×{w}": "карта активации {h}×{w}",
    "{image}, {size}×{size} '{kernel}' kernel": "{image}, ядро «{kernel}» {size}×{size}",
    "output size = ⌊({H} + 2·{p} − {d}·({k} − 1) − 1) / {s}⌋ + 1 = {n}": "размер выхода = ⌊({H} + 2·{p} − {d}·({k} − 1) − 1) / {s}⌋ + 1 = {n}",
    "activation map (conv)": "карта активации (свёртка)",
    "after ReLU: {share} of the map kept": "после ReLU: осталось {share} карты",
    "(windows of the first row and column)": "(окна первой строки и первого столбца)",
    "{kind} pooling {size}×{size}, stride {stride}, padding {padding}:": "пулинг {size}×{size} ({kind}), шаг {stride}, паддинг {padding}:",
    # --- helpers.widgets: what an explorer shows instead of a picture (MESSAGES) -----------------------------
    "These settings do not work together:": "Эти настройки несовместимы:",
    "The window is larger than the padded image: size {size} with dilation {dilation} spans {span} pixels, "
    "but the image with padding {padding} is only {n} pixels wide. Lower size or dilation, or raise padding.": "Окно больше изображения с паддингом: при размере {size} и дилатации {dilation} оно охватывает {span} пикс., "
    "а изображение с паддингом {padding} шириной всего {n} пикс. Уменьшите размер или дилатацию либо "
    "увеличьте паддинг.",
    "size {size} is smaller than the {k}×{k} kernel '{kernel}': its numbers would not fit. Raise size to "
    "{k} or more, or choose kernel 'box blur' or 'identity', which exist at every size.": "размер {size} меньше ядра «{kernel}» {k}×{k}: его числа не поместятся. Поставьте размер {k} или больше "
    "либо выберите ядро «усредняющее размытие» или «тождественное» — они бывают любого размера.",
    "The kernel grid's cell in row {row}, column {col} is not a number ({value}). Type a number between "
    "-{limit} and {limit}.": "В сетке ядра клетка в строке {row}, столбце {col} — не число ({value}). Введите число от -{limit} "
    "до {limit}.",
    "The kernel grid's cell in row {row}, column {col} holds {value:.3g}, too large to draw. Type a number "
    "between -{limit} and {limit}.": "В сетке ядра в клетке в строке {row}, столбце {col} стоит {value:.3g} — слишком большое число, его не "
    "нарисовать. Введите число от -{limit} до {limit}.",
    "padding {padding} is more than half of size {size}: a window at the edge would see padding only. "
    "Lower padding to {half}, or raise size.": "паддинг {padding} больше половины размера {size}: окно у края видело бы один только паддинг. "
    "Уменьшите паддинг до {half} или увеличьте размер.",
    "size {size} is larger than the activation map with padding {padding} ({n} + 2·{padding} = {m} "
    "pixels). Lower size, or raise padding.": "размер {size} больше карты активации с паддингом {padding} ({n} + 2·{padding} = {m} пикс.). "
    "Уменьшите размер или увеличьте паддинг.",
    # --- helpers.filters: the kernels' names (marked N_, shown translated in menus and titles) -------------
    "identity": "тождественное",
    "box blur": "усредняющее размытие",
    "gaussian blur": "гауссово размытие",
    "sharpen": "повышение резкости",
    "prewitt x": "Прюитт x",
    "prewitt y": "Прюитт y",
    "sobel x": "Собель x",
    "sobel y": "Собель y",
    "laplacian": "лапласиан",
    "vertical line": "вертикальная линия",
    "horizontal line": "горизонтальная линия",
    "diagonal /": "диагональ /",
    "diagonal \\": "диагональ \\",
    # --- helpers.plots ---------------------------------------------------------------------------------------
    '(A) classification: the image is a "{label}"': "(A) классификация: на изображении «{label}»",
    "(B) detection: where is each object, and what": "(B) детекция: где каждый объект и что это",
    "(C) segmentation: a class for every pixel": "(C) сегментация: класс для каждого пикселя",
    "loss going down": "функция потерь падает",
    "step": "шаг",
    "w at step {step}": "w на шаге {step}",
    "each batch": "каждый батч",
    "average of {n} batches": "среднее по {n} батчам",
    "log 10: guessing": "log 10: случайное угадывание",
    "cross-entropy loss": "функция потерь (кросс-энтропия)",
    "the loss during the one epoch of training": "функция потерь за одну эпоху обучения",
    "training step (a batch of {n} digits)": "шаг обучения (батч из {n} цифр)",
    "learning rate": "скорость обучения",
    # --- helpers.models.format_table and helpers.train's progress bar ------------------------------------------
    "layer": "слой",
    "output shape": "форма выхода",
    "parameters": "параметры",
    "receptive field": "рецептивное поле",
    "whole image": "всё изображение",
    "total": "всего",
    "epoch {epoch}/{epochs}": "эпоха {epoch}/{epochs}",
    # --- helpers.drawing: the drawing pad (06) --------------------------------------------------------------
    "Clear": "Стереть",
    "Draw a digit": "Нарисуйте цифру",
    "what the network reads (28×28)": "что видит сеть (28×28)",
    "the network says": "ответ сети",
    "block {i}: {c} maps of {h}×{w}": "блок {i}: карты {h}×{w} (всего {c})",
    "Click a map: its receptive field is drawn on the input.": "Щёлкните по карте — её рецептивное поле появится на входе.",
    "image is empty: there is no ink on it to read as a digit (draw one first)": "изображение пустое: на нём нет штрихов, которые можно прочитать как цифру (сначала нарисуйте её)",
    "Draw a digit on the white square (mouse or finger).": "Нарисуйте цифру на белом квадрате (мышью или пальцем).",
    "update: {ms:.0f} ms": "обновление: {ms:.0f} мс",
    "block {b}, map {m}, unit ({r}, {c}) sees input rows {t}–{bo}, columns {le}–{ri}": "блок {b}, карта {m}, нейрон ({r}, {c}) видит строки входа {t}–{bo}, столбцы {le}–{ri}",
    # --- helpers.checks: reading an answer -------------------------------------------------------------------
    "Not answered yet: replace None with your answer and run the cell again.": "Ответа пока нет: замените None своим ответом и выполните ячейку ещё раз.",
    "Could not read {answer} as an answer here. Wanted: {wanted}.": "Не получается прочитать {answer} как ответ к этому заданию. Нужно: {wanted}.",
    "text": "текст",
    "a dictionary": "словарь",
    "a list": "список",
    "an array": "массив",
    "one number": "одно число",
    "{answer} is a yes/no value; the answer is {what}, a number.": "{answer} — это логическое значение (да/нет), а ответ здесь — {what}, то есть число.",
    "“{answer}” is text in quotes; write {what} as a number, without the quotes.": "«{answer}» — это текст в кавычках. Ответ ({what}) запишите числом, без кавычек.",
    "“{answer}” is text; write {what} with digits, for example 42.": "«{answer}» — это текст. Ответ ({what}) запишите цифрами, например 42.",
    "The answer is {what}: one number, not a dictionary.": "Ответ — {what}: одно число, а не словарь.",
    "The answer is {what}: one number, not a list.": "Ответ — {what}: одно число, а не список.",
    "The answer is {what}: one number, not {kind} of {n} values.": "Ответ — {what}: одно число, а не {kind} (значений в нём: {n}).",
    "The answer is {what}: a real number, not a complex one.": "Ответ — {what}: действительное число, а не комплексное.",
    "The answer is {what}: one number.": "Ответ — {what}: одно число.",
    "{answer} is not a finite number; the answer is {what}.": "{answer} — не конечное число, а ответ здесь — {what}.",
    "{value} is not a whole number: {why}": "{value} — не целое число: {why}",
    "a side counts cells.": "сторона считается в клетках.",
    "The answer is {what}, written like {example}; this is {kind}.": "Ответ — {what}, его записывают так: {example}. А здесь {kind}.",
    "The rows have different lengths; {what} has the same number of values in every row.": "Строки разной длины, а в ответе ({what}) в каждой строке одинаковое число значений.",
    "Every entry of {what} must be a number (no text, no True/False), like {example}.": "Каждый элемент ответа ({what}) должен быть числом (не текстом и не True/False), например: {example}.",
    "{what} holds a value that is not a finite number (nan or inf).": "В ответе ({what}) есть значение, которое не является конечным числом (nan или inf).",
    "Not yet: {hint}": "Пока не так: {hint}",
    # {wanted}: the first line of each check's docstring (shown once helpers.checks._readable wraps it in tr)
    "(gx, gy) at (row, col) with central differences: gx = right − left, gy = below − above": "(gx, gy) в пикселе (row, col) по центральным разностям: gx = правый − левый, gy = нижний − верхний",
    "The length of a HOG feature vector, counted from the definition and checked with scikit-image": "длина вектора признаков HOG, посчитанная по определению (проверяется с помощью scikit-image)",
    "The side of the activation map, checked against the shape torch returns": "сторона карты активации (проверяется по форме, которую возвращает torch)",
    "One value of the activation map, computed here with torch": "одно значение карты активации (проверяется с помощью torch)",
    "A pooled map, checked against torch's max_pool2d / avg_pool2d": "карта после пулинга (проверяется с помощью max_pool2d / avg_pool2d из torch)",
    "The kernel a student chose to react to a pattern: its strongest response must be on that pattern": "ядро, которое реагирует на паттерн: сильнее всего оно должно отзываться там, где этот паттерн есть",
    "A tensor shape the student predicted, compared with the one the network really produced": "предсказанная форма тензора (сравнивается с той, что на самом деле выдаёт сеть)",
    "The parameter count of a convolution layer, checked against torch": "число параметров свёрточного слоя (проверяется с помощью torch)",
    "The parameter count of a whole network (every layer's weights and biases), checked against torch": "число параметров всей сети (веса и смещения всех слоёв; проверяется с помощью torch)",
    "The receptive field of one output pixel of a stack of layers: how many input pixels per side it sees": "рецептивное поле одного выходного пикселя стопки слоёв: сколько входных пикселей он видит по стороне",
    "A function `conv2d(image, kernel, stride=1, padding=0)` for one image and one kernel, compared with torch": "функция `conv2d(image, kernel, stride=1, padding=0)` для одного изображения и одного ядра "
    "(сравнивается с torch)",
    "A function `conv2d_channels(image, kernels, stride=1, padding=0)`: (C, H, W), (K, C, k, k) → (K, H', W')": "функция `conv2d_channels(image, kernels, stride=1, padding=0)`: (C, H, W), (K, C, k, k) → (K, H', W')",
    "A function `max_pool(x, size=2, stride=None)` for one map, compared with torch's max_pool2d": "функция `max_pool(x, size=2, stride=None)` для одной карты (сравнивается с max_pool2d из torch)",
    "A function `image_gradients(image)` → (gx, gy): central differences, zero on the border": "функция `image_gradients(image)` → (gx, gy): центральные разности, на краях ноль",
    "A kernel learned by gradient descent, compared with the hidden kernel that made the targets": "ядро, обученное градиентным спуском (сравнивается со скрытым ядром, которым получены целевые карты)",
    "A function `train_epoch(model, optimizer, images, labels, batch_size)`: one pass over the data": "функция `train_epoch(model, optimizer, images, labels, batch_size)`: один проход по данным (эпоха)",
    "A function `conv_backward(x, w, dout)` → (dx, dw) for one image, one kernel, stride 1, no padding": "функция `conv_backward(x, w, dout)` → (dx, dw) для одного изображения и одного ядра, шаг 1, без паддинга",
    # what an answer is ({what}, nominative) and why it is whole ({why})
    "a pair (gx, gy)": "пара (gx, gy)",
    "the length of the HOG vector": "длина вектора HOG",
    "the side of the activation map": "сторона карты активации",
    "one value of the activation map": "одно значение карты активации",
    "the pooled map": "карта после пулинга",
    "a 3×3 kernel": "ядро 3×3",
    "a shape": "форма (shape)",
    "the parameter count of the layer": "число параметров слоя",
    "the parameter count of the network": "число параметров сети",
    "the receptive field's side in input pixels": "сторона рецептивного поля во входных пикселях",
    "the activation map": "карта активации",
    "the K activation maps": "K карт активации",
    "a gradient": "градиент",
    "a kernel": "ядро",
    "a feature vector has a whole number of values. Count cells, blocks and bins.": "в векторе признаков целое число значений. Посчитайте ячейки, блоки и бины.",
    "a layer has a whole number of weights and biases.": "у слоя целое число весов и смещений.",
    "a network has a whole number of weights and biases.": "у сети целое число весов и смещений.",
    "it counts input pixels.": "это число входных пикселей.",
    # --- helpers.checks: 01, gradients and HOG ----------------------------------------------------------------
    "Give two numbers: (gx, gy).": "Нужны два числа: (gx, gy).",
    "Right: gx = {gx}, gy = {gy}, magnitude {m}.": "Верно: gx = {gx}, gy = {gy}, модуль градиента {m}.",
    "The two are swapped: gx is along the row (right − left), gy along the column (below − above).": "Числа перепутаны местами: gx — вдоль строки (правый − левый), gy — вдоль столбца (нижний − верхний).",
    "The sizes are right but a sign is not: subtract the left (above) neighbour from the right (below) one.": "Величины верные, а знак — нет: вычитайте левого (верхнего) соседа из правого (нижнего).",
    "Not quite. Take the neighbours of pixel ({row}, {col}): gx uses ({row}, {left}) and ({row}, {right}), "
    "gy uses ({up}, {col}) and ({down}, {col}).": "Пока не так. Возьмите соседей пикселя ({row}, {col}): для gx — ({row}, {left}) и ({row}, {right}), "
    "для gy — ({up}, {col}) и ({down}, {col}).",
    "Right: {c}×{c} cells, {b}×{b} blocks of {cb}×{cb} cells × {o} bins = {e}.": "Верно: блоки {b}×{b} × ячейки в блоке {cb}×{cb} × бины {o} = {e} (всего ячеек {c}×{c}).",
    "That counts each cell once. Blocks overlap: each block of {cb}×{cb} cells is normalised and kept on "
    "its own.": "Так каждая ячейка посчитана один раз. Но блоки перекрываются: каждый блок из {cb}×{cb} ячеек "
    "нормируется и входит в вектор отдельно.",
    "Count the cells ({n} // {p} per side), then the blocks (cells − {cb} + 1 per side), then multiply by "
    "cells per block and by {o} bins.": "Посчитайте ячейки ({n} // {p} по каждой стороне), затем блоки (ячейки − {cb} + 1 по каждой стороне), "
    "потом умножьте на число ячеек в блоке и на число бинов ({o}).",
    # block normalisation (L2-Hys)
    "a block with one strong edge": "блок с одной сильной границей",
    "a block of 36 random values": "блок из 36 случайных значений",
    "a block of 4 values": "блок из 4 значений",
    "a faint block (values of 0.000001)": "блок с очень слабыми значениями (0.000001)",
    "an all-zero block": "блок из одних нулей",
    "the normalised block": "нормированный блок",
    "Your `{name}` returns nothing (None): end it with `return` and the normalised block.": "Ваша функция `{name}` ничего не возвращает (None): закончите её строкой `return` с нормированным блоком.",
    "On an all-zero block (no edges at all) your `{name}` gives nan: 0 / 0. Put eps² under the square root, "
    "v / sqrt(‖v‖² + eps²), so that such a block stays all zeros.": "На блоке из одних нулей (границ нет вовсе) ваша функция `{name}` даёт nan: 0 / 0. Поставьте eps² под "
    "корень, v / sqrt(‖v‖² + eps²), чтобы такой блок так и остался нулевым.",
    "On {case} the result should have shape {e}, one value per value of the block, but yours has shape {g}.": "На примере ({case}) у результата должна быть форма {e} (одно число на каждое значение блока), а у "
    "вашего — {g}.",
    "Your `{name}` returns the block as it was: divide it by its length, clip at 0.2, and divide by the new "
    "length.": "Ваша функция `{name}` возвращает блок без изменений: разделите его на его длину, обрежьте значения "
    "на 0.2 и разделите на новую длину.",
    "That is plain L2 normalisation: nothing is clipped. After dividing by the length, lower every value "
    "above 0.2 to 0.2 (np.minimum), then normalise again.": "Это обычная L2-нормировка: ничего не обрезано. После деления на длину опустите все значения больше "
    "0.2 до 0.2 (np.minimum), а потом нормируйте ещё раз.",
    "The clipping is right, but then normalise again: after clipping the block is shorter than 1, so divide "
    "it by its new length, sqrt(‖v‖² + eps²).": "Обрезка верная, но после неё нужно нормировать ещё раз: обрезанный блок короче 1, так что разделите "
    "его на новую длину, sqrt(‖v‖² + eps²).",
    "You clip before the first normalisation. 0.2 is meant for a block of length 1: first divide by the "
    "length, then clip at 0.2, then normalise again.": "Вы обрезаете до первой нормировки. Порог 0.2 рассчитан на блок длины 1: сначала разделите на длину, "
    "затем обрежьте на 0.2, затем нормируйте ещё раз.",
    "Nearly: eps goes under the square root, squared, v / sqrt(‖v‖² + eps²), not after it as ‖v‖ + eps. On "
    "{case} that makes a difference.": "Почти: eps ставится под корень и в квадрате, v / sqrt(‖v‖² + eps²), а не после корня, как ‖v‖ + eps. "
    "На примере ({case}) это даёт разницу.",
    "On {case} your values differ from scikit-image's L2-Hys. Step by step: v / sqrt(‖v‖² + eps²) with "
    "eps = 1e-5, then np.minimum(v, 0.2), then v / sqrt(‖v‖² + eps²) again.": "На примере ({case}) ваши значения отличаются от L2-Hys из scikit-image. По шагам: v / sqrt(‖v‖² + eps²) "
    "с eps = 1e-5, затем np.minimum(v, 0.2), затем снова v / sqrt(‖v‖² + eps²).",
    "Right: your `{name}` equals scikit-image's L2-Hys on every block, the all-zero one too.": "Верно: ваша функция `{name}` совпадает с L2-Hys из scikit-image на всех блоках, включая нулевой.",
    "A function `normalize_block(block)`: L2-Hys of one block's histograms (a 1-D array), as scikit-image does it": "функция `normalize_block(block)`: L2-Hys для гистограмм одного блока (одномерный массив), как в "
    "scikit-image",
    "a 6×7 image": "изображение 6×7",
    "Your `{name}` returns nothing (None): end it with `return gx, gy`.": "Ваша функция `{name}` ничего не возвращает (None): закончите её строкой `return gx, gy`.",
    "Return two arrays, `return gx, gy`, each the size of the image.": "Верните два массива размером с изображение: `return gx, gy`.",
    "gx and gy are the size of the image ({h}×{w}), with zeros on the border.": "gx и gy — размером с изображение ({h}×{w}), с нулями на краях.",
    "Right: gx = right − left, gy = below − above, zero on the border.": "Верно: gx = правый − левый, gy = нижний − верхний, на краях ноль.",
    "gx and gy are swapped: gx runs along a row (right − left), gy down a column (below − above).": "gx и gy перепутаны: gx идёт вдоль строки (правый − левый), gy — вниз по столбцу (нижний − верхний).",
    "A sign is flipped: subtract the left (above) neighbour from the right (below) one.": "Знак перевёрнут: вычитайте левого (верхнего) соседа из правого (нижнего).",
    "The inside is right; on the border (first and last column for gx, first and last row for gy) a pixel "
    "lacks a neighbour, so leave 0 there.": "Внутри всё верно; а на краях (первый и последний столбец для gx, первая и последняя строка для gy) у "
    "пикселя нет одного из соседей, поэтому оставьте там 0.",
    "gx[r, c] = image[r, c + 1] − image[r, c − 1] and gy[r, c] = image[r + 1, c] − image[r − 1, c], for the "
    "pixels that have both neighbours.": "gx[r, c] = image[r, c + 1] − image[r, c − 1] и gy[r, c] = image[r + 1, c] − image[r − 1, c] — для "
    "пикселей, у которых есть оба соседа.",
    # --- helpers.checks: 02, convolution ---------------------------------------------------------------------
    "Right: {e}×{e}.": "Верно: {e}×{e}.",
    "Right: {e}.": "Верно: {e}.",
    "Right.": "Верно.",
    "Close: the division does not come out even. Round down (floor) before adding 1.": "Близко: нацело не делится. Округлите вниз (floor), а потом прибавьте 1.",
    "Did you forget the padding? It adds p to both sides: n + 2p.": "Не забыли про паддинг? Он добавляет p с каждой стороны: n + 2p.",
    "Use ⌊(n + 2p − d(k − 1) − 1) / s⌋ + 1 with n the input side, k the kernel side, p the padding, d the "
    "dilation and s the stride.": "Воспользуйтесь формулой ⌊(n + 2p − d(k − 1) − 1) / s⌋ + 1, где n — сторона входа, k — сторона ядра, "
    "p — паддинг, d — дилатация, s — шаг.",
    "That is the flipped kernel (the mathematicians' convolution). Networks lay the kernel on the window as "
    "it is: top-left on top-left.": "Так получается с перевёрнутым ядром (свёртка в смысле математиков). В нейросетях ядро накладывают на "
    "окно как есть: левый верхний элемент на левый верхний.",
    "This window hangs over the border: the padding adds zeros there, not copies of the image's edge. Put "
    "the zeros in and multiply again.": "Это окно выходит за край изображения: паддинг добавляет там нули, а не копии крайних пикселей. "
    "Подставьте нули и перемножьте заново.",
    "Multiply the {kh}×{kw} window that starts at row {r}, column {c} of the padded image by the kernel, "
    "cell by cell, and add everything up.": "Возьмите окно {kh}×{kw}, которое начинается в строке {r}, столбце {c} изображения с паддингом, "
    "поэлементно умножьте его на ядро и сложите все произведения.",
    "a {h}×{w} image, {k}×{k} kernel, stride {s}, padding {p}": "изображение {h}×{w}, ядро {k}×{k}, шаг {s}, паддинг {p}",
    "On {case} the activation map should be {e} but yours is {g}: its side is ⌊(n + 2p − k) / s⌋ + 1.": "На примере ({case}) у карты активации должна быть форма {e}, а у вашей — {g}: её сторона равна "
    "⌊(n + 2p − k) / s⌋ + 1.",
    "Your `{name}` flips the kernel (the mathematicians' convolution). Lay the kernel on the window as it "
    "is: window * kernel.": "Ваша функция `{name}` переворачивает ядро (свёртка в смысле математиков). Накладывайте ядро на окно "
    "как есть: window * kernel.",
    "On {case} {n} of {m} values differ from torch. Check where each window starts: row i·s and column j·s "
    "of the padded image.": "На примере ({case}) с torch не совпадает {n} из {m} значений. Проверьте, где начинается каждое окно: "
    "строка i·s и столбец j·s изображения с паддингом.",
    "Right: your `{name}` equals torch's conv2d with stride and padding.": "Верно: ваша функция `{name}` совпадает с conv2d из torch, и с шагом, и с паддингом.",
    "a {c}-channel {h}×{w} image, {k} kernels of {c}×{ks}×{ks}, stride {s}, padding {p}": "изображение {h}×{w} с {c} каналами, ядра {k}×{c}×{ks}×{ks}, шаг {s}, паддинг {p}",
    "On {case} the output should be {e} (one map per kernel) but yours is {g}.": "На примере ({case}) у выхода должна быть форма {e} (по карте на каждое ядро), а у вашего — {g}.",
    "Only the first channel counts in your maps. Each kernel covers all C channels: add up the C "
    "single-channel convolutions.": "В ваших картах учитывается только первый канал. Каждое ядро охватывает все C каналов: сложите C "
    "свёрток по отдельным каналам.",
    "On {case} {n} of {m} values differ from torch. Map k is the sum over channels c of "
    "conv2d(image[c], kernels[k, c]).": "На примере ({case}) с torch не совпадает {n} из {m} значений. Карта k — это сумма по каналам c "
    "свёрток conv2d(image[c], kernels[k, c]).",
    "Right: your `{name}` equals torch's conv2d over channels.": "Верно: ваша функция `{name}` совпадает с conv2d из torch по всем каналам.",
    # --- helpers.checks: 03 and 04, filters and pooling ---------------------------------------------------------
    "The pooled map should be {h}×{w}: one value per {k}×{k} window, windows {s} apart.": "Карта после пулинга должна быть {h}×{w}: по одному значению на каждое окно {k}×{k}, окна идут с "
    "шагом {s}.",
    "That is {other} pooling; this one asks for {kind}.": "Вы взяли {other} по каждому окну, а в этом задании требуется {kind}.",
    "{wrong} of {n} values differ. Take each window in turn and keep its {what}.": "Не совпадает {wrong} из {n} значений. Пройдите по окнам по очереди и оставьте от каждого {what}.",
    "largest value": "наибольшее значение",
    "mean": "среднее",
    "Give a {h}×{w} kernel: {h} rows of {w} numbers, e.g. [[-1, 2, -1], [-1, 2, -1], [-1, 2, -1]].": "Нужно ядро {h}×{w} (строк: {h}, чисел в строке: {w}), например [[-1, 2, -1], [-1, 2, -1], "
    "[-1, 2, -1]].",
    "Right: your kernel responds most strongly ({m}) where the pattern is.": "Верно: ваше ядро сильнее всего реагирует ({m}) там, где есть паттерн.",
    "Your kernel's strongest response is somewhere else. Put positive weights where the pattern's bright "
    "pixels are and negative weights around them.": "Сильнее всего ваше ядро реагирует в другом месте. Поставьте положительные веса там, где у паттерна "
    "яркие пиксели, а вокруг — отрицательные.",
    "Give the shape as {n} whole numbers in brackets, like (channels, height, width).": "Запишите форму целыми числами в скобках (их {n}), например (каналы, высота, ширина).",
    "A shape counts channels and pixels: whole numbers. {hint}": "Форма считает каналы и пиксели — это целые числа. {hint}",
    "a {h}×{w} map, {k}×{k} windows, stride {s}": "карта {h}×{w}, окна {k}×{k}, шаг {s}",
    "On {case} the pooled map should be {e} but yours is {g}: windows that do not fit are left out (round "
    "down).": "На примере ({case}) у карты после пулинга должна быть форма {e}, а у вашей — {g}: окна, которые не "
    "помещаются целиком, отбрасываются (округление вниз).",
    "That is average pooling: keep each window's largest value (window.max()).": "Это усредняющий пулинг, а нужен макс-пулинг: оставляйте от каждого окна наибольшее значение "
    "(window.max()).",
    "On {case} {n} of {m} values differ from torch. Window (i, j) starts at row i·stride, column j·stride.": "На примере ({case}) с torch не совпадает {n} из {m} значений. Окно (i, j) начинается в строке "
    "i·stride, столбце j·stride.",
    "Right: your `{name}` equals torch's max_pool2d.": "Верно: ваша функция `{name}` совпадает с max_pool2d из torch.",
    # 04_pooling passes this hint to checks.shape_through (shown once checks wraps it in tr)
    # --- helpers.checks: 03, a kernel learned by gradient descent ----------------------------------------------
    "The learned kernel should be {h}×{w}.": "Обученное ядро должно быть размером {h}×{w}.",
    "Right: the learned kernel matches the hidden one (largest difference {e}).": "Верно: обученное ядро совпадает со скрытым (наибольшая разница {e}).",
    "The kernel blew up: the learning rate is too large, each step overshoots. Try a 10× smaller one.": "Ядро «взорвалось»: скорость обучения слишком велика, и каждый шаг проскакивает минимум. Попробуйте "
    "скорость в 10 раз меньше.",
    "Not there yet (largest difference {e}). Is `w -= lr * w.grad` inside `torch.no_grad()`, is the "
    "gradient zeroed after each step (`w.grad.zero_()`), and are there enough steps?": "Пока не сошлось (наибольшая разница {e}). Стоит ли `w -= lr * w.grad` внутри `torch.no_grad()`, "
    "обнуляется ли градиент после каждого шага (`w.grad.zero_()`) и хватает ли шагов?",
    # --- helpers.checks: 05, networks ----------------------------------------------------------------------------
    "Right: {k} kernels × {c} channels × {s}×{s}{b} = {e}.": "Верно: ядра ({k}) × каналы ({c}) × {s}×{s}{b} = {e}.",
    " + {k} biases": " + смещения ({k})",
    "Almost: each kernel also has one bias.": "Почти: у каждого ядра есть ещё одно смещение.",
    "Each kernel spans all input channels: it has in_channels × k × k weights.": "Каждое ядро охватывает все входные каналы: в нём in_channels × k × k весов.",
    "Count one kernel: in_channels × k × k weights (plus a bias); then multiply by the number of kernels.": "Посчитайте одно ядро: in_channels × k × k весов (плюс смещение), а затем умножьте на число ядер.",
    "Right: {e} parameters.": "Верно: всего параметров — {e}.",
    "Almost: every kernel and every output of a linear layer also has one bias.": "Почти: у каждого ядра и у каждого выхода полносвязного слоя есть ещё по одному смещению.",
    "One layer is missing from your count: {layer}.": "В вашем подсчёте пропущен один слой: {layer}.",
    "Add up layer by layer: a convolution has out × in × k × k weights + out biases, a linear layer "
    "out × in weights + out biases; ReLU, pooling and flatten have none.": "Складывайте по слоям: у свёртки out × in × k × k весов + out смещений, у полносвязного слоя "
    "out × in весов + out смещений; у ReLU, пулинга и flatten параметров нет.",
    "Right: one output pixel sees {e}×{e} input pixels.": "Верно: один выходной пиксель видит область {e}×{e} входных пикселей.",
    "You added k − 1 for every layer. After a layer with stride s, each further step covers s times as many "
    "input pixels: multiply the later layers' k − 1 by the product of the strides before them.": "Вы прибавили k − 1 для каждого слоя. Но после слоя с шагом s соседние пиксели следующих слоёв "
    "отстоят друг от друга на s входных пикселей: умножайте k − 1 каждого следующего слоя на произведение "
    "шагов всех слоёв до него.",
    "Start at 1 pixel and walk through the layers: each adds (k − 1) × (the product of the strides before "
    "it).": "Начните с 1 пикселя и пройдите по слоям: каждый добавляет (k − 1) × (произведение шагов всех слоёв "
    "до него).",
    # --- helpers.checks: functions the student writes -------------------------------------------------------------
    "Not answered yet: write `{name}` in the cell and run it.": "Ответа пока нет: напишите функцию `{name}` в этой ячейке и выполните ячейку.",
    "Give the function itself: `{name}`, without brackets after it.": "Передайте саму функцию: `{name}`, без скобок после имени.",
    "Your `{name}` stopped with an error on {case}: {etype}: {error}": "Ваша функция `{name}` остановилась с ошибкой на примере ({case}): {etype}: {error}",
    "Your `{name}` returns nothing (None): end it with `return` and {what}.": "Ваша функция `{name}` ничего не возвращает (None): закончите её строкой `return` с результатом "
    "({what}).",
    # --- helpers.checks: training ----------------------------------------------------------------------------------
    "512 images in batches of 64": "512 изображений, батчи по 64",
    "The weights never change: call `optimizer.step()` after `loss.backward()`, once per batch.": "Веса не меняются: вызывайте `optimizer.step()` после `loss.backward()`, по разу на каждый батч.",
    "`optimizer.step()` ran once; it should run once per batch ({b} times for 512 images in batches of 64): "
    "put forward, loss, backward and step inside the loop over batches.": "`optimizer.step()` выполнился один раз за проход, а должен выполняться на каждом батче ({b} раз для "
    "512 изображений батчами по 64): поместите прямой проход, функцию потерь, backward и step внутрь цикла "
    "по батчам.",
    "`optimizer.step()` ran {n} times in 3 passes over 512 images; it should run once per batch of 64, {b} "
    "times a pass.": "За 3 прохода по 512 изображениям `optimizer.step()` вызван столько раз: {n}. А нужно по разу на каждый "
    "батч из 64, то есть {b} раз за проход.",
    "The gradients pile up from batch to batch: call `optimizer.zero_grad()` before `loss.backward()` in "
    "every batch.": "Градиенты накапливаются от батча к батчу: вызывайте `optimizer.zero_grad()` перед `loss.backward()` "
    "в каждом батче.",
    "The weights did not change: is `loss.backward()` called before `optimizer.step()`?": "Веса не изменились: вызывается ли `loss.backward()` перед `optimizer.step()`?",
    "The loss hardly went down ({a} → {b} after 3 passes): is the loss computed on the model's output for "
    "the batch, with the batch's labels?": "Функция потерь почти не уменьшилась ({a} → {b} за 3 прохода): считается ли она по выходу модели на "
    "этом батче и с метками этого же батча?",
    "Right: one step per batch, gradients zeroed, and the loss falls ({a} → {b} in 3 passes).": "Верно: один шаг на батч, градиенты обнуляются, и функция потерь падает ({a} → {b} за 3 прохода).",
    # {w}: the set, in the prepositional case ("на валидационной выборке")
    # --- helpers.checks: backpropagation through a convolution ---------------------------------------------------
    "a {h}×{w} image and a {k}×{k} kernel": "изображение {h}×{w} и ядро {k}×{k}",
    "Your `{name}` returns nothing (None): end it with `return dx, dw`.": "Ваша функция `{name}` ничего не возвращает (None): закончите её строкой `return dx, dw`.",
    "Return two arrays: `return dx, dw` (dx the size of x, dw the size of w).": "Верните два массива: `return dx, dw` (dx размером с x, dw размером с w).",
    "dx has the shape of x ({hx}×{wx}) and dw the shape of w ({k}×{k}).": "У dx форма как у x ({hx}×{wx}), у dw — как у w ({k}×{k}).",
    "dx and dw are still all zeros: loop over the output positions (i, j) and send dout[i, j] back to the "
    "window it came from.": "dx и dw пока — одни нули: пройдите циклом по позициям выхода (i, j) и отправьте dout[i, j] "
    "обратно в то окно, из которого получился этот выход.",
    "dw is off (relative error {e}). dw[a, b] adds dout[i, j] · x[i + a, j + b] over all output positions "
    "(i, j): a correlation of x with dout.": "dw неверен (относительная ошибка {e}). dw[a, b] — это сумма dout[i, j] · x[i + a, j + b] по всем "
    "позициям выхода (i, j), то есть корреляция x с dout.",
    "dx uses the flipped kernel. Each output (i, j) used x[i + a, j + b] with weight w[a, b], so it sends "
    "dout[i, j] · w[a, b] back to exactly that pixel.": "В dx использовано перевёрнутое ядро. Выход (i, j) брал x[i + a, j + b] с весом w[a, b], поэтому "
    "dout[i, j] · w[a, b] возвращается ровно в этот пиксель.",
    "dx is off (relative error {e}). Every output (i, j) sends dout[i, j] · w back onto the window it came "
    "from: dx[i:i+k, j:j+k] += dout[i, j] * w.": "dx неверен (относительная ошибка {e}). Каждый выход (i, j) отправляет dout[i, j] · w обратно на своё "
    "окно: dx[i:i+k, j:j+k] += dout[i, j] * w.",
    "Right: dx and dw agree with autograd (relative errors {ex} and {ew}); the numerical gradient agrees "
    "with dx to {en}.": "Верно: dx и dw совпадают с autograd (относительные ошибки {ex} и {ew}); численный градиент совпадает "
    "с dx с точностью {en}.",
    # --- helpers.checks: a cell run before its set-up ({run} is JupyterLab's menu item, left in English) ----------
    "`{name}` is not defined yet: run the cells above first ({run}), or add `{line}` at the top of this cell.": "Имя `{name}` ещё не определено: сначала выполните ячейки выше (меню {run}) или добавьте `{line}` в начало "
    "этой ячейки.",
    "`{name}` is made in “{place}”: run the cells above first ({run}).": "`{name}` определяется в разделе «{place}»: сначала выполните ячейки выше (меню {run}).",
    '`{name}` is not defined. If you meant the text {name}, put it in quotes: "{name}". If it is a name from this '
    "notebook, run the cells above first ({run}), or check its spelling.": "Имя `{name}` не определено. Если вы имели в "
    'виду текст {name}, возьмите его в кавычки: "{name}". Если это имя из тетрадки, сначала выполните ячейки выше '
    "(меню {run}) или проверьте, нет ли в нём опечатки.",
    # --- notebook 07: helpers/explain.py (the exercises' checks) and helpers/explain_widgets.py (the explorers)
    "a number of windows": "число окон",
    "windows are counted, one by one.": "окна считают поштучно.",
    "Right: {k} positions along each side, {k} × {k} = {total} windows. The map of the drops is {k}×{k}, like the "
    "activation map of a convolution with this size and stride.": "Верно: по {k} положений вдоль каждой стороны, {k} × {k} = {total} окон. Карта падений — {k}×{k}, как карта "
    "активации свёртки с таким размером и шагом.",
    "That is the count along one side; the patch slides along the rows and the columns.": "Это число окон вдоль одной стороны; заплатка скользит и по строкам, и по столбцам.",
    "That is the convolution's ⌊(28 − size) / stride⌋ + 1 per side. Occlusion adds one more window, cut off at the "
    "edge, so that the last pixels are covered too: round up.": "Это ⌊(28 − size) / stride⌋ + 1 на сторону, как у свёртки. Окклюзия добавляет ещё одно окно, обрезанное "
    "краем, чтобы последние пиксели тоже были закрыты: округляйте вверх.",
    "Not quite. Along one side the windows start at 0, {s}, {s2}, … while a patch of {k} still has pixels of the "
    "image under it; count them and square the count.": "Не совсем. Вдоль одной стороны окна начинаются в 0, {s}, {s2}, … пока под заплаткой размера {k} ещё есть "
    "пиксели картинки; посчитайте их и возведите число в квадрат.",
    'Answer with the word "ink" or "background", in quotes.': 'Ответьте словом "ink" (штрих) или "background" (фон), в кавычках.',
    "Right: {share} of the saliency lies on the ink, {rest} on the background.": "Верно: на штрихе лежит {share} значимости, на фоне — {rest}.",
    "Look at the map again: {share} of the saliency lies on the ink. The background matters too (a stroke there "
    "would make another digit), but less.": "Посмотрите на карту ещё раз: на штрихе лежит {share} значимости. Фон тоже важен (штрих на нём сделал бы "
    "другую цифру), но меньше.",
    "Look at the map again: only {share} of the saliency lies on the ink. Each ink pixel matters more than a "
    "background pixel, but the background has many more pixels, and where ink could appear (a bar that would make "
    "a 7, a loop that would make a 9) matters too.": "Посмотрите на карту ещё раз: на штрихе лежит лишь {share} значимости. Каждый пиксель штриха важнее "
    "пикселя фона, но пикселей фона гораздо больше, и важны места, где мог бы появиться штрих (перекладина, "
    "которая сделала бы 7, петля, которая сделала бы 9).",
    "an ε between 0 and 0.5": "ε от 0 до 0,5",
    "This digit does not flip up to ε = 0.5; any guess is as good.": "Эта цифра не меняет ответ вплоть до ε = 0,5; любая догадка здесь одинаково хороша.",
    "Right: at ε = {e} the network reads {answer}, each pixel moved by {p} % of the white.": "Верно: при ε = {e} сеть читает {answer}, каждый пиксель сдвинут на {p} % белого.",
    "At ε = {g} the network still reads the digit correctly: move the ε slider further.": "При ε = {g} сеть ещё читает цифру правильно: двигайте ползунок ε дальше.",
    "At ε = {g} it has flipped, but it flipped earlier: move the ε slider back, one step at a time.": "При ε = {g} ответ уже другой, но сменился он раньше: двигайте ползунок ε назад, по одному шагу.",
    "test digit #{i} (a {label})": "тестовая цифра №{i} ({label})",
    "digit": "цифра",
    "patch size": "размер заплатки",
    "ε": "ε",
    "stride {stride} is larger than patch size {size}: the pixels between two windows would never be covered. Lower "
    "stride to {size} or less, or raise patch size.": "шаг {stride} больше, чем размер заплатки {size}: пиксели между двумя окнами никогда не будут закрыты. "
    "Уменьшите шаг до {size} или меньше либо увеличьте размер заплатки.",
    "the digit, p({label}) = {p}\nthe patch that hurts most": "цифра, p({label}) = {p}\nсамая вредная заплатка",
    "drop of p({label}), one cell per window:\n{h}×{w} positions (stride {stride})": "падение p({label}), клетка на окно:\n{h}×{w} положений (шаг {stride})",
    "per pixel: mean drop of the\nwindows that cover it (as captum)": "по пикселям: среднее падение\nпо накрывающим окнам (как в captum)",
    "the digit: {label}\nread as {label} ({p})": "цифра: {label}\nсеть читает {label} ({p})",
    "the change: ±{e}\n(ε · sign of the gradient)": "изменение: ±{e}\n(ε · знак градиента)",
    "after FGSM:\nread as {answer} ({p})": "после FGSM:\nсеть читает {answer} ({p})",
    "the ten probabilities": "десять вероятностей",
    # --- helpers.homework_tasks: the homework's hints (phrases filled into {case} are in the prepositional case) --
    # what an answer is (filled into {what})
    "the HOG vector": "вектор HOG",
    "the matrix of windows": "матрица окон",
    "the activation maps": "карты активации",
    "the parameter count": "число параметров",
    "the kernel": "ядро",
    "the Hessian": "гессиан",
    "a learning rate": "скорость обучения",
    "dx": "dx",
    "the receptive field's side": "сторона рецептивного поля",
    "a number of pixels": "число пикселей",
    # reading answers
    "The answer is {what}: one number, written with digits.": "Ответ — {what}: одно число, записанное цифрами.",
    "The answer is {what}: numbers in an array or a list of rows.": "Ответ — {what}: числа в массиве или в списке строк.",
    "The answer is {what}: numbers in an array or a list of rows, every row as long.": "Ответ — {what}: числа в массиве или в списке строк одинаковой длины.",
    "Not answered yet: write `{name}` in its cell and run it.": "Ответа пока нет: напишите `{name}` в её ячейке и запустите её.",
    "Your `{name}` returns nothing (None): end it with `return`.": "Ваша `{name}` ничего не возвращает (None): допишите в конце `return` с результатом.",
    "Give a 3×3 kernel: 3 rows of 3 numbers, e.g. [[0, 0, 0], [0, 1, 0], [0, 0, 0]].": "Дайте ядро 3×3: 3 строки по 3 числа, например [[0, 0, 0], [0, 1, 0], [0, 0, 0]].",
    # hw01
    "Right: {e} numbers.": "Верно: {e} чисел.",
    "Count the cells per side (rows and columns apart), then the blocks per side (cells − block + 1), then multiply "
    "by the cells in a block and by the bins.": "Посчитайте ячейки по каждой стороне (строки и столбцы отдельно), затем блоки по каждой стороне (ячеек − "
    "блок + 1), затем умножьте на число ячеек в блоке и на число интервалов.",
    "That counts each cell once. Blocks overlap: a block moves one cell at a time, and every block keeps its own "
    "normalised copy of its cells.": "Так каждая ячейка посчитана один раз. Блоки перекрываются: блок сдвигается на одну ячейку, и у каждого "
    "блока своя нормированная копия его ячеек.",
    "Your blocks sit side by side. A block moves one cell at a time, so the blocks overlap: cells − block + 1 of "
    "them per side.": "Ваши блоки стоят вплотную друг к другу. Блок сдвигается на одну ячейку, поэтому блоки перекрываются: их "
    "ячеек − блок + 1 по каждой стороне.",
    "The image is not square: count the blocks along the rows and along the columns separately.": "Изображение не квадратное: считайте блоки вдоль строк и вдоль столбцов отдельно.",
    "a 12×16 image of random numbers": "изображении 12×16 из случайных чисел",
    "a 28×28 digit": "цифре 28×28",
    "another 28×28 digit": "другой цифре 28×28",
    "a 20×20 image with one bright square": "изображении 20×20 с одним светлым квадратом",
    "On {case} the HOG vector should hold {e} numbers, yours holds {g}: (cells − 1) blocks per side, 4 cells per "
    "block, 8 bins per cell.": "На {case} в векторе HOG должно быть {e} чисел, а в вашем {g}: (ячеек − 1) блоков по стороне, 4 ячейки в "
    "блоке, 8 интервалов в ячейке.",
    "Your angles stop at 180°: that is the unsigned HOG of the lesson. Here a dark-to-bright edge and a "
    "bright-to-dark one are different: take the angle of (gx, gy) over the whole circle, 0°–360°.": "Ваши углы кончаются на 180°: это беззнаковый HOG с занятия. Здесь граница от тёмного к светлому и от "
    "светлого к тёмному различаются: берите угол (gx, gy) по всему кругу, 0°–360°.",
    "Your angles stop at 180°, so the bins from 180° up stay empty. Here a dark-to-bright edge and a bright-to-dark "
    "one are different: take the angle over the whole circle, 0°–360°.": "Ваши углы кончаются на 180°, и интервалы от 180° и выше остаются пустыми. Здесь граница от тёмного к "
    "светлому и от светлого к тёмному различаются: берите угол по всему кругу, 0°–360°.",
    "Nothing is clipped: that is plain L2. L2-Hys divides by the length, lowers every value above 0.2 to 0.2, and "
    "divides by the new length.": "Ничего не обрезано: это просто L2. L2-Hys делит на длину, опускает каждое значение больше 0,2 до 0,2 и "
    "делит на новую длину.",
    "Your vertical gradient points up (above − below). In an image rows grow downwards: gy = below − above, as in "
    "the lesson.": "Ваш вертикальный градиент смотрит вверх (верхний − нижний). В изображении строки растут вниз: gy = нижний − "
    "верхний, как на занятии.",
    "The right numbers in the wrong order. Lay out the blocks row by row; inside a block its cells row by row; "
    "inside a cell its 8 bins from 0° up.": "Числа верные, но порядок нет. Выкладывайте блоки по строкам; внутри блока его ячейки по строкам; внутри "
    "ячейки её 8 интервалов, начиная с 0°.",
    "On {case} {n} of {m} numbers differ. Check each step on its own: the gradients (zero on the border), the angle "
    "in 0°–360° and its bin (angle // 45), the cell's histogram divided by its 16 pixels, then L2-Hys per block.": "На {case} не совпадают {n} чисел из {m}. Проверьте каждый шаг отдельно: градиенты (ноль на краю), угол в "
    "0°–360° и его интервал (угол // 45), гистограмму ячейки, делённую на её 16 пикселей, затем L2-Hys каждого "
    "блока.",
    "Right: your `{name}` agrees with the reference on every image, the digits too.": "Верно: ваша `{name}` совпадает с эталоном на каждом изображении, и на цифрах тоже.",
    # hw02
    "a {c}-channel {h}×{w} image, {k}×{k} windows, stride {s}, padding {p}, dilation {d}": "изображении {h}×{w} с {c} каналами, окна {k}×{k}, шаг {s}, паддинг {p}, дилатация {d}",
    "Your matrix is transposed: one ROW per kernel weight (C·k·k of them) and one COLUMN per window (L of them), so "
    "that kernels.reshape(K, -1) @ cols gives the maps.": "Ваша матрица транспонирована: по СТРОКЕ на вес ядра (их C·k·k) и по СТОЛБЦУ на окно (их L), чтобы "
    "kernels.reshape(K, -1) @ cols давало карты.",
    "On {case} your matrix has as many windows as with dilation 1: a dilated window spans d·(k − 1) + 1 pixels, so "
    "fewer windows fit.": "На {case} в вашей матрице столько же окон, сколько при дилатации 1: окно с дилатацией занимает d·(k − 1) + 1 "
    "пикселей, поэтому окон помещается меньше.",
    "On {case} the matrix should be {e} (C·k·k rows, one column per window) but yours is {g}.": "На {case} матрица должна быть {e} (C·k·k строк, по столбцу на окно), а у вас {g}.",
    "Your windows ignore the dilation: with dilation d the window takes every d-th pixel, rows r, r + d, …, "
    "r + d·(k − 1).": "Ваши окна не учитывают дилатацию: при дилатации d окно берёт каждый d-й пиксель, строки r, r + d, …, "
    "r + d·(k − 1).",
    "The right windows in another order. Rows: channel first, then the kernel's row, then its column (the order of "
    "kernels.reshape(K, -1)); columns: windows row by row of the map.": "Окна верные, но порядок другой. Строки: сначала канал, затем строка ядра, затем его столбец (порядок "
    "kernels.reshape(K, -1)); столбцы: окна по строкам карты.",
    "On {case} {n} of {m} values differ from torch's F.unfold. Window (i, j) starts at row i·s, column j·s of the "
    "padded image and takes every d-th pixel.": "На {case} {n} значений из {m} не совпадают с F.unfold из torch. Окно (i, j) начинается в строке i·s, "
    "столбце j·s изображения с паддингом и берёт каждый d-й пиксель.",
    "Right: your `{name}` equals torch's F.unfold, dilation included.": "Верно: ваша `{name}` совпадает с F.unfold из torch, и с дилатацией тоже.",
    "On {case} the values may be right but the shape is {g}, not {e}: reshape the product to (K, H', W'), one map "
    "per kernel.": "На {case} значения, может быть, и верны, но форма {g}, а не {e}: приведите произведение к (K, H', W'), по "
    "карте на ядро.",
    "On {case} the output should be {e} (K maps of ⌊(n + 2p − d(k − 1) − 1) / s⌋ + 1 per side) but yours is {g}.": "На {case} выход должен быть {e} (K карт по ⌊(n + 2p − d(k − 1) − 1) / s⌋ + 1 в стороне), а у вас {g}.",
    "Your maps use the flipped kernel (the mathematicians' convolution). Networks lay the kernel on the window as "
    "it is.": "В ваших картах ядро перевёрнуто (свёртка математиков). Нейросети кладут ядро на окно как есть.",
    "On {case} {n} of {m} values differ from torch's conv2d. The maps are kernels.reshape(K, -1) @ im2col(...), "
    "reshaped to (K, H', W').": "На {case} {n} значений из {m} не совпадают с conv2d из torch. Карты — это kernels.reshape(K, -1) @ "
    "im2col(...), приведённое к форме (K, H', W').",
    "Right: your `{name}` equals torch's conv2d with stride, padding and dilation.": "Верно: ваша `{name}` совпадает с conv2d из torch с шагом, паддингом и дилатацией.",
    "Right: {e}. Dilation spreads the weights apart; it does not add any.": "Верно: {e}. Дилатация раздвигает веса, но не добавляет новых.",
    "Dilation spreads the {k}×{k} weights over a wider window, but the kernel still has {k}×{k} weights per channel: "
    "the gaps hold no weights.": "Дилатация раскладывает {k}×{k} весов по более широкому окну, но в ядре по-прежнему {k}×{k} весов на канал: "
    "в промежутках весов нет.",
    "Count one kernel: in_channels × k × k weights plus one bias, then multiply by the number of kernels.": "Посчитайте одно ядро: in_channels × k × k весов плюс одно смещение, затем умножьте на число ядер.",
    # hw03
    "Give a square kernel with an odd side (3×3 or 5×5), as a list of rows; yours has shape {g}.": "Дайте квадратное ядро с нечётной стороной (3×3 или 5×5) в виде списка строк; у вашего форма {g}.",
    "the corner ┌": "угле ┌",
    "a corner ┐": "угле ┐",
    "a corner └": "угле └",
    "a corner ┘": "угле ┘",
    "a horizontal line": "горизонтальной линии",
    "a vertical line": "вертикальной линии",
    "a filled square": "закрашенном квадрате",
    "an empty place next to a shape": "пустом месте рядом с фигурой",
    "another pixel of the ┌ corner, not its tip": "другом пикселе угла ┌, не на вершине",
    "In scene {i} your kernel answers {v} at the corner's tip ({r}, {c}) but {m} at ({y}, {x}), on {what}. Compare "
    "what a window holds at the tip and there: give the pixels that differ weights of opposite signs.": "В сцене {i} ваше ядро даёт {v} на вершине угла ({r}, {c}), но {m} в ({y}, {x}), на {what}. Сравните, что "
    "попадает в окно на вершине и там: дайте различающимся пикселям веса противоположных знаков.",
    "Right: in all {n} scenes your kernel's strongest response is exactly on the ┌ corner.": "Верно: во всех {n} сценах самый сильный отклик вашего ядра ровно на угле ┌.",
    "{n} images of {h}×{w}, a {k}×{k} kernel, stride {s}": "{n} изображениях {h}×{w}, ядре {k}×{k}, шаге {s}",
    "On {case} the Hessian should be {e}: one row and one column per kernel weight (k·k of them); yours is {g}.": "На {case} гессиан должен быть {e}: по строке и столбцу на вес ядра (их k·k); у вас {g}.",
    "Half of autograd's: the derivative of e² is 2e, so the Hessian is 2·PᵀP / M, not PᵀP / M.": "Половина того, что даёт autograd: производная e² равна 2e, поэтому гессиан равен 2·PᵀP / M, а не PᵀP / M.",
    "Right shape, wrong scale (×{r}): the loss is the MEAN over all N·H'·W' output values, so divide by their "
    "number, M.": "Форма верна, масштаб нет (×{r}): функция потерь — СРЕДНЕЕ по всем N·H'·W' выходным значениям, поэтому "
    "делите на их число M.",
    "That is the Hessian for stride 1: with stride {s} only the windows that start at multiples of {s} are outputs, "
    "so only those patches count.": "Это гессиан для шага 1: при шаге {s} выходами становятся только окна, начинающиеся в позициях, кратных {s}, "
    "и учитываются только они.",
    "Your weights are ordered column by column. Flatten the kernel row by row, as w.reshape(-1) does.": "Ваши веса упорядочены по столбцам. Выкладывайте ядро по строкам, как это делает w.reshape(-1).",
    "On {case} your Hessian differs from autograd's. The loss is mean over the M outputs of (p·w − t)², with p a "
    "flattened window: its Hessian is 2·Σ p pᵀ / M.": "На {case} ваш гессиан отличается от того, что даёт autograd. Функция потерь — среднее по M выходам от "
    "(p·w − t)², где p — вытянутое в вектор окно: её гессиан равен 2·Σ p pᵀ / M.",
    "Right: your `{name}` equals autograd's Hessian, stride included.": "Верно: ваша `{name}` совпадает с гессианом из autograd, и с шагом тоже.",
    "Right: 2/λ = {e} (λ = {l}, the steepest curvature).": "Верно: 2/λ = {e} (λ = {l}, наибольшая кривизна).",
    "That is 1/λ. Along the steepest direction a step multiplies the error by (1 − lr·λ): it grows only once "
    "|1 − lr·λ| > 1, that is for lr > 2/λ.": "Это 1/λ. Вдоль самого крутого направления шаг умножает ошибку на (1 − lr·λ): она растёт, только когда "
    "|1 − lr·λ| > 1, то есть при lr > 2/λ.",
    "That uses the smallest curvature. The steepest direction (the largest eigenvalue) is the first to overshoot.": "Здесь взята наименьшая кривизна. Первым перескакивает самое крутое направление (наибольшее собственное "
    "значение).",
    "That is λ itself, the largest eigenvalue; the learning rate limit is 2/λ.": "Это само λ, наибольшее собственное значение; предел скорости обучения — 2/λ.",
    "Take the largest eigenvalue λ of your Hessian for these images (np.linalg.eigvalsh); the limit is 2/λ.": "Возьмите наибольшее собственное значение λ вашего гессиана для этих изображений (np.linalg.eigvalsh); "
    "предел — 2/λ.",
    # hw04
    "The pooled map is {h}×{w}: ⌊(n + 2p − k) / s⌋ + 1 windows per side.": "Карта после пулинга — {h}×{w}: ⌊(n + 2p − k) / s⌋ + 1 окон по стороне.",
    "You divided by the full window, 9, everywhere. With count_include_pad=False a window that hangs over the "
    "border is divided by the number of REAL pixels in it.": "Вы везде делили на полное окно, 9. При count_include_pad=False окно, свисающее за границу, делится на "
    "число НАСТОЯЩИХ пикселей в нём.",
    "You divided by the real pixels only. With count_include_pad=True the padding's zeros count: divide every "
    "window by k·k.": "Вы делили только на настоящие пиксели. При count_include_pad=True нули паддинга учитываются: делите каждое "
    "окно на k·k.",
    "{wrong} of {n} values differ. Pad with zeros, take each window in turn, add its real pixels and divide by how "
    "many there are.": "Не совпадают {wrong} значений из {n}. Добавьте нулевой паддинг, берите окна по очереди, складывайте "
    "настоящие пиксели и делите на их число.",
    "a {h}×{w} map, {k}×{k} windows, stride {s}, padding {p}, count_include_pad={i}": "карте {h}×{w}, окна {k}×{k}, шаг {s}, паддинг {p}, count_include_pad={i}",
    "On {case} the pooled map should be {e} but yours is {g}: ⌊(n + 2p − k) / s⌋ + 1 per side.": "На {case} карта после пулинга должна быть {e}, а у вас {g}: ⌊(n + 2p − k) / s⌋ + 1 по стороне.",
    "On {case} your `{name}` does the opposite of count_include_pad: True divides every window by k·k (the zeros "
    "count), False by the number of real pixels in the window.": "На {case} ваша `{name}` делает обратное count_include_pad: True делит каждое окно на k·k (нули "
    "учитываются), False — на число настоящих пикселей в окне.",
    "On {case} {n} of {m} values differ from torch's avg_pool2d.": "На {case} {n} значений из {m} не совпадают с avg_pool2d из torch.",
    "Right: your `{name}` equals torch's avg_pool2d, with and without count_include_pad.": "Верно: ваша `{name}` совпадает с avg_pool2d из torch, с count_include_pad и без.",
    "dx has the shape of x ({h}×{w}): one gradient per input pixel; yours is {g}.": "dx той же формы, что x ({h}×{w}): по градиенту на входной пиксель; у вас {g}.",
    "dx is all zeros: every window sends its dout to the pixel that won the max.": "dx весь из нулей: каждое окно отправляет свой dout пикселю, который дал максимум.",
    "You share dout over the whole window: that is average pooling's backward pass. Max pooling passed on only the "
    "largest value, so only that pixel gets the gradient.": "Вы делите dout на всё окно: это обратный проход усредняющего пулинга. Макс-пулинг передал дальше только "
    "наибольшее значение, поэтому градиент получает только этот пиксель.",
    "On {case} the windows overlap and one pixel can win in two windows: add the gradients (dx[...] += dout[i, j]), "
    "do not overwrite them.": "На {case} окна перекрываются, и один пиксель может победить в двух окнах: складывайте градиенты "
    "(dx[...] += dout[i, j]), а не перезаписывайте их.",
    "On {case} {n} of {m} values differ from autograd. Window (i, j) starts at row i·stride, column j·stride; its "
    "dout[i, j] goes to the position of its largest value.": "На {case} {n} значений из {m} не совпадают с autograd. Окно (i, j) начинается в строке i·stride, столбце "
    "j·stride; его dout[i, j] уходит в позицию наибольшего значения.",
    "Right: your `{name}` equals torch's autograd, overlapping windows included.": "Верно: ваша `{name}` совпадает с autograd из torch, и на перекрывающихся окнах тоже.",
    "Right: {e}×{e} input pixels.": "Верно: {e}×{e} входных пикселей.",
    "That ignores the dilation: a k×k kernel with dilation d spans d·(k − 1) + 1 pixels, so it adds d·(k − 1) × "
    "(the product of the strides before it).": "Здесь не учтена дилатация: ядро k×k с дилатацией d занимает d·(k − 1) + 1 пикселей, поэтому добавляет "
    "d·(k − 1) × (произведение шагов до него).",
    "You added each layer's span as it is. After a stride s, one step of a later layer moves s input pixels: "
    "multiply by the product of the strides before it.": "Вы сложили размахи слоёв как есть. После шага s один шаг следующего слоя сдвигается на s входных пикселей: "
    "умножайте на произведение шагов до слоя.",
    "Start at 1 and walk through the layers: each adds d·(k − 1) × (the product of the strides before it).": "Начните с 1 и пройдите по слоям: каждый добавляет d·(k − 1) × (произведение шагов до него).",
    "Right: {e} of the {s}×{s} = {a} pixels; the others fall in the holes of the dilated kernels.": "Верно: {e} из {s}×{s} = {a} пикселей; остальные попадают в дыры ядер с дилатацией.",
    "That is the whole square. A dilated kernel skips pixels: find the ones whose gradient is not zero (backward "
    "from one output pixel of the stack with all weights 1).": "Это весь квадрат. Ядро с дилатацией пропускает пиксели: найдите те, у которых градиент не ноль (backward "
    "от одного выходного пикселя стопки со всеми весами 1).",
    "Build the stack in torch with every weight 1 (AvgPool2d for the pooling), run a big image of ones through it, "
    "call backward on one output pixel near the middle and count the input pixels whose gradient is not zero.": "Соберите стопку в torch со всеми весами 1 (AvgPool2d вместо пулинга), пропустите через неё большое "
    "изображение из единиц, вызовите backward от одного выходного пикселя около середины и посчитайте входные "
    "пиксели с ненулевым градиентом.",
    # hw05
    "a {h}×{w} image, a {k}×{k} kernel, stride {s}, padding {p}": "изображении {h}×{w}, ядре {k}×{k}, шаге {s}, паддинге {p}",
    "Your dx has the padded size. The padding's zeros are not inputs: cut the border off, dx_padded[p:-p, p:-p].": "Ваш dx размером с изображение с паддингом. Нули паддинга — не входы: отрежьте край, dx_padded[p:-p, p:-p].",
    "On {case} dw is off. With stride s, output (i, j) used the window at row i·s, column j·s of the PADDED image: "
    "dw += dout[i, j] · that window.": "На {case} dw неверен. При шаге s выход (i, j) использовал окно в строке i·s, столбце j·s изображения С "
    "ПАДДИНГОМ: dw += dout[i, j] · это окно.",
    "On {case} dw is off. dw adds dout[i, j] · (the window output (i, j) saw) over all outputs, windows taken from "
    "the padded image.": "На {case} dw неверен. dw складывает dout[i, j] · (окно, которое видел выход (i, j)) по всем выходам, окна "
    "берутся из изображения с паддингом.",
    "dx uses the flipped kernel. Output (i, j) used pixel (i·s + a, j·s + b) with weight w[a, b]: it sends "
    "dout[i, j] · w[a, b] back to exactly that pixel.": "В dx ядро перевёрнуто. Выход (i, j) брал пиксель (i·s + a, j·s + b) с весом w[a, b]: он отправляет "
    "dout[i, j] · w[a, b] обратно ровно в этот пиксель.",
    "On {case} dx is off. Send dout[i, j] · w back onto the window at (i·s, j·s) of a padded dx, adding where "
    "windows overlap, then cut the padding off.": "На {case} dx неверен. Отправляйте dout[i, j] · w обратно на окно в (i·s, j·s) в dx с паддингом, складывая "
    "там, где окна перекрываются, а затем отрежьте паддинг.",
    "Right: dx and dw equal torch's autograd, with stride and padding.": "Верно: dx и dw совпадают с autograd из torch, с шагом и паддингом.",
    "`model` should be your trained network (a torch.nn.Sequential).": "`model` должна быть вашей обученной сетью (torch.nn.Sequential).",
    "Your network's output for a batch of digits should be (batch, 10), one score per digit; it is {g}.": "Выход вашей сети для батча цифр должен быть (батч, 10), по оценке на цифру; у вас {g}.",
    "Right: {a} on {n} digits your network never saw (target {t}).": "Верно: {a} на {n} цифрах, которых ваша сеть никогда не видела (цель {t}).",
    "{a} is guessing level on digits it never saw: the network has not learned (is it the trained `model`?).": "{a} — уровень угадывания на незнакомых цифрах: сеть не обучилась (это точно обученная `model`?).",
    "{a} on {n} digits it never saw; the target is {t}. Compare your choices on the validation digits: more passes, "
    "another learning rate, another width.": "{a} на {n} незнакомых цифрах; цель — {t}. Сравните варианты на валидационных цифрах: больше эпох, другая "
    "скорость обучения, другая ширина.",
    # the first line of each check's docstring: what an unreadable answer should have been
    "A function `avg_pool(x, size, stride, padding, count_include_pad)` for one map, compared with torch": "функция `avg_pool(x, size, stride, padding, count_include_pad)` для одной карты, сверенная с torch",
    "An average-pooled map, as a list of rows": "карта после усредняющего пулинга, списком строк",
    "A function `conv_backward(x, w, dout, stride, padding)` → (dx, dw), compared with torch's autograd": "функция `conv_backward(x, w, dout, stride, padding)` → (dx, dw), сверенная с autograd из torch",
    "A function `conv2d_im2col(image, kernels, stride, padding, dilation)` → (K, H', W'), compared with torch": "функция `conv2d_im2col(image, kernels, stride, padding, dilation)` → (K, H', W'), сверенная с torch",
    "A square kernel of odd side whose strongest response in each scene is on the ┌ corner's pixel": "квадратное ядро с нечётной стороной, чей самый сильный отклик в каждой сцене приходится на вершину угла ┌",
    "The length of a HOG vector of a rows×cols image, a whole number": "длина вектора HOG изображения rows×cols, целое число",
    "A function `im2col(image, k, stride, padding, dilation)` → (C·k·k, L), compared with torch's F.unfold": "функция `im2col(image, k, stride, padding, dilation)` → (C·k·k, L), сверенная с F.unfold из torch",
    "The largest learning rate for which gradient descent on the loss does not blow up, one number": "наибольшая скорость обучения, при которой градиентный спуск не расходится, одно число",
    "The trainable parameters of a (dilated) convolution layer, a whole number": "число обучаемых параметров свёрточного слоя (с дилатацией), целое число",
    "A function `loss_hessian(images, k, stride)` → the (k·k, k·k) Hessian, compared with torch's autograd": "функция `loss_hessian(images, k, stride)` → гессиан (k·k, k·k), сверенный с autograd из torch",
    "A function `max_pool_backward(x, dout, size, stride)` → dx, compared with torch's autograd": "функция `max_pool_backward(x, dout, size, stride)` → dx, сверенная с autograd из torch",
    "A trained torch.nn.Sequential, measured on digits it never saw": "обученная torch.nn.Sequential, измеренная на незнакомых ей цифрах",
    "How many input pixels of the receptive field really influence the output pixel, a whole number": "сколько входных пикселей рецептивного поля действительно влияют на выходной пиксель, целое число",
    "The side of the square of input pixels one output pixel sees, a whole number": "сторона квадрата входных пикселей, который видит один выходной пиксель, целое число",
    "A function `signed_hog(image)`: HOG with signed orientations (8 bins of 45°), 4×4 cells, 2×2 blocks": "функция `signed_hog(image)`: HOG со знаковыми направлениями (8 интервалов по 45°), ячейки 4×4, блоки 2×2",
    "A 3×3 kernel whose strongest response on the image is on the pattern's pixels": "ядро 3×3, чей самый сильный отклик на изображении приходится на пиксели паттерна",
    # hw05 Exercise 6: FGSM towards a chosen class
    "A function `fgsm_towards(model, pixels, targets, epsilon)` → new pixels, compared with torch's autograd": "функция `fgsm_towards(model, pixels, targets, epsilon)` → новые пиксели, сверенная с autograd из torch",
    "{n} digits, ε = {e}": "{n} цифрах, ε = {e}",
    "the new pixels": "новые пиксели",
    "Your `{name}` returns shape {g}; the new pixels have the shape of `pixels`, {e}.": "Ваша функция `{name}` возвращает форму {g}, а у новых пикселей форма `pixels` — {e}.",
    "Right: every pixel moved by ε against the gradient of the target's loss. The small network here now says the "
    "target for {k} of {n} digits.": "Верно: каждый пиксель сдвинут на ε против градиента функции потерь для цели. Маленькая сеть здесь теперь "
    "называет цель для {k} из {n} цифр.",
    "Your step raises the loss of the target: it pushes the network away from it, as 07's FGSM pushes away from the "
    "true label. To make it say the target, lower the target's loss: step against the sign of the gradient.": "Ваш шаг повышает функцию потерь для цели: он уводит сеть от цели, как FGSM из тетрадки 07 уводит от верной "
    "метки. Чтобы сеть назвала цель, понижайте функцию потерь для цели: шагайте против знака градиента.",
    "Some of your pixels leave 0..1 (a pixel is at most white): end with `.clamp(0, 1)`.": "Некоторые ваши пиксели выходят за 0..1 (пиксель не бывает белее белого): закончите `.clamp(0, 1)`.",
    "Not every pixel moved by exactly ε: FGSM uses only the sign of the gradient (`.sign()`), so each pixel moves by "
    "ε, up or down.": "Не каждый пиксель сдвинут ровно на ε: FGSM берёт только знак градиента (`.sign()`), поэтому каждый пиксель "
    "сдвигается на ε вверх или вниз.",
    "{wrong} of {n} pixels differ. Take the cross-entropy of `model(pixels)` with the targets, its gradient with "
    "respect to the pixels (`requires_grad_`), move each pixel by ε against the gradient's sign, and clamp to 0..1.": "Не совпадает {wrong} из {n} пикселей. Возьмите кросс-энтропию `model(pixels)` с целями, её градиент "
    "по пикселям (`requires_grad_`), сдвиньте каждый пиксель на ε против знака градиента и ограничьте 0..1.",
}

#: Russian noun forms for `helpers.i18n.count`, keyed by the English singular: (1, 2–4, 5–20).
PLURALS: dict[str, tuple[str, str, str]] = {
    "parameter": ("параметр", "параметра", "параметров"),
    "input": ("вход", "входа", "входов"),
    "weight": ("вес", "веса", "весов"),
    "multiply-add": ("умножение-сложение", "умножения-сложения", "умножений-сложений"),
}
