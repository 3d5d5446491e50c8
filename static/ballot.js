// Live count of ticks left; the server checks the maximum again, this only helps the resident.
(function () {
  var form = document.getElementById("ballot");
  if (!form) return;
  var max = parseInt(form.dataset.max || "0", 10);
  var left = document.getElementById("left");
  function update() {
    if (!max) return;
    var n = form.querySelectorAll('input[name="item"]:checked').length;
    var remaining = max - n;
    left.classList.toggle("over", remaining < 0);
    left.innerHTML = remaining >= 0
      ? "还可勾选 <strong>" + remaining + "</strong> 项"
      : "已超出 <strong>" + (-remaining) + "</strong> 项,请取消一些";
  }
  form.addEventListener("change", update);
  update();
})();
