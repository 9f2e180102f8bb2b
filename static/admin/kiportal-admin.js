/* The ministry's admin: names for what Django's scripts build without one (issue 14).
   A file, not inline: the CSP allows scripts from the portal only.

   - Autocomplete boxes (select2): the box is a role="combobox" named by the text of the
     chosen entry, so an empty box had no name and a filled one only its value. Now it is
     named by the field's label and the value; the inner text box loses its role and
     aria-readonly (a nameless "textbox" that cannot be typed in).
   - The filters of a two-list choice (SelectFilter2): their icon carried the label as an
     aria-label on a plain span, which ARIA forbids; it becomes the icon's hidden text.

   Both are built after the page has loaded (and again for each added inline row), so a
   MutationObserver names them whenever they appear. */
'use strict';
{
    let counter = 0;

    function labelId(label) {
        if (!label.id) {
            counter += 1;
            label.id = 'kiportal-label-' + counter;
        }
        return label.id;
    }

    function nameAutocompletes(root) {
        root.querySelectorAll('select.admin-autocomplete').forEach(function(select) {
            const container = select.nextElementSibling;
            if (!select.id || !container || !container.classList.contains('select2')) {
                return;
            }
            const combobox = container.querySelector('.select2-selection[role="combobox"]');
            const label = document.querySelector('label[for="' + CSS.escape(select.id) + '"]');
            if (!combobox || !label) {
                return;
            }
            const rendered = combobox.querySelector('.select2-selection__rendered');
            const ids = [labelId(label)];
            if (rendered && rendered.id) {
                rendered.removeAttribute('role');
                rendered.removeAttribute('aria-readonly');
                ids.push(rendered.id);
            }
            const wanted = ids.join(' ');
            if (combobox.getAttribute('aria-labelledby') !== wanted) {
                combobox.setAttribute('aria-labelledby', wanted);
            }
        });
    }

    function nameFilterIcons(root) {
        root.querySelectorAll('.selector .search-label-icon[aria-label]').forEach(function(icon) {
            const text = document.createElement('span');
            text.className = 'visually-hidden';
            text.textContent = icon.getAttribute('aria-label');
            icon.removeAttribute('aria-label');
            icon.appendChild(text);
        });
    }

    function nameAll() {
        nameAutocompletes(document);
        nameFilterIcons(document);
    }

    let pending = false;
    const observer = new MutationObserver(function() {
        if (!pending) {
            pending = true;
            window.setTimeout(function() {
                pending = false;
                nameAll();
            }, 0);
        }
    });

    document.addEventListener('DOMContentLoaded', function() {
        nameAll();
        observer.observe(document.body, {childList: true, subtree: true});
    });
}
